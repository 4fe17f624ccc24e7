"""Dominant, inactive and active components (issue 10 section 2, issue 11 items 9 and 12)."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.analysis import AnalysisOptions, analyze
from zspace.analysis.dominant import active_units, classify_components
from zspace.analysis.groups import split_groups

FAST = AnalysisOptions(pca_planes=(), plane_pairs=0)


def latents_with_stds(stds, count: int = 8_000, seed: int = 0, shifts=None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, len(stds))) * np.asarray(stds)
    if shifts is not None:
        z += np.asarray(shifts)
    return z.astype(np.float32)


def test_demo_vae_pattern_two_groups(tmp_path) -> None:
    # the demo VAE: 12 live components (spread 0.55-1.2) and 20 collapsed ones (0.07-0.35), interleaved
    rng = np.random.default_rng(1)
    live, collapsed = rng.uniform(0.55, 1.2, 12), rng.uniform(0.07, 0.35, 20)
    stds = np.empty(32)
    order = rng.permutation(32)
    stds[order[:12]], stds[order[12:]] = live, collapsed
    result = analyze(latents_with_stds(stds), None, FAST)
    components = result.components
    assert sorted(c.index for c in components.dominant) == sorted(order[:12].tolist())
    # inactive: the collapsed group's members with a variance under 0.3^2 = 0.09 of the live one (docs/analysis.md);
    # the widest few of the collapsed group (std 0.28-0.35 against the live 0.89) stay typical
    live_std = np.median(components.std[order[:12]])
    collapsed = sorted(i for i in order[12:].tolist() if components.std[i] < 0.3 * live_std)
    assert len(collapsed) >= 12 and components.inactive == collapsed
    assert all(components.labels[i] == "typical" for i in order[12:].tolist() if i not in collapsed)
    assert all("half-width" in c.why and "widest of 2 groups" in c.why for c in components.dominant)
    # the ranked table puts the 12 live ones first
    assert set(components.by_half_width[:12]) == set(order[:12].tolist())
    assert set(components.live_first[:12]) == set(order[:12].tolist())


def test_simulated_demo_vae_with_equal_widths(tmp_path) -> None:
    stds = [0.8] * 12 + [0.2] * 20
    components = analyze(latents_with_stds(stds, seed=2), None, FAST).components
    assert [c.index for c in components.dominant] == list(range(12))
    assert components.inactive == list(range(12, 32))
    assert components.labels == ["dominant"] * 12 + ["inactive"] * 20


def test_wide_autoencoder_with_a_few_much_wider(tmp_path) -> None:
    # an AE: every component wide (std 2-3), four much wider (std 6-8), centres off zero: dominant four, none inactive
    rng = np.random.default_rng(3)
    stds = np.concatenate([rng.uniform(2, 3, 28), rng.uniform(6, 8, 4)])
    shifts = rng.uniform(-1, 1, 32)
    components = analyze(latents_with_stds(stds, seed=4, shifts=shifts), None, FAST).components
    assert [c.index for c in components.dominant] == [28, 29, 30, 31]
    assert components.inactive == []
    assert components.labels.count("typical") == 28


def test_homogeneous_components_give_one_group() -> None:
    rng = np.random.default_rng(5)
    for values in (np.log(rng.uniform(0.9, 1.1, 64)), rng.normal(0, 0.3, 256), np.log(np.full(16, 1.2))):
        assert split_groups(values, 0.05, np.log(1.5)).count == 1


def test_groups_are_contiguous_and_ordered() -> None:
    values = np.log(np.r_[np.full(5, 0.1), np.full(20, 1.0), np.full(3, 4.0)])
    grouping = split_groups(values, 0.05, np.log(1.5))
    assert grouping.count == 3
    assert grouping.labels.tolist() == [0] * 5 + [1] * 20 + [2] * 3
    assert np.allclose(np.exp(grouping.centres), [0.1, 1.0, 4.0], rtol=0.01)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_mixture_em_matches_scikit_learn_where_the_floor_is_not_reached(k) -> None:
    from sklearn.mixture import GaussianMixture

    from zspace.analysis.groups import _fit_mixture, _kmeans_start

    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1, 60), rng.normal(6, 0.5, 30), rng.normal(12, 2, 40)])
    weights, means, sigmas, log_likelihood = _fit_mixture(values, k, 1e-3)
    start_weights, start_means, start_sigmas = _kmeans_start(values, k, 1e-3)
    reference = GaussianMixture(k, covariance_type="spherical", reg_covar=0.0, tol=1e-12, max_iter=1000,
                                weights_init=start_weights, means_init=start_means[:, None],
                                precisions_init=1 / start_sigmas**2).fit(values[:, None])
    order = np.argsort(reference.means_[:, 0])
    np.testing.assert_allclose(weights, reference.weights_[order], atol=1e-5)
    np.testing.assert_allclose(means, reference.means_[order, 0], atol=1e-5)
    np.testing.assert_allclose(sigmas, np.sqrt(reference.covariances_[order]), atol=1e-5)
    assert log_likelihood == pytest.approx(reference.score(values[:, None]) * len(values), abs=1e-6)


def test_constant_component_is_inactive_with_zero_width(tmp_path) -> None:
    z = latents_with_stds([1.0] * 8, count=3_000, seed=6)
    z[:, 3] = 7.5  # constant, far from zero
    components = analyze(z, None, FAST).components
    assert components.half_width[3] == 0.0 and components.std[3] == 0.0
    assert components.inactive == [3] and components.dominant == []
    assert components.labels[3] == "inactive" and 3 not in components.active_units


def test_active_units_match_numpy_variance() -> None:
    rng = np.random.default_rng(7)
    z = rng.standard_normal((5_000, 6)) * np.array([1.0, 0.5, 0.11, 0.09, 0.02, 0.0])
    std = z.std(axis=0, ddof=1)
    expected = np.flatnonzero(z.var(axis=0, ddof=1) > 0.01).tolist()
    assert active_units(std) == expected == [0, 1, 2]
    assert active_units(std, threshold=0.2) == [0, 1]


def test_inactive_ratio_decides_collapsed_or_bulk() -> None:
    half_width = np.r_[np.full(20, 0.5), np.full(4, 2.0)]  # a lower group at 0.25 of the widest
    mean, std = np.zeros(24), half_width / 1.1774
    assert classify_components(mean, std, half_width, inactive_ratio=0.3)["inactive"] == list(range(20))
    lenient = classify_components(mean, std, half_width, inactive_ratio=0.2)
    assert lenient["inactive"] == [] and [d.index for d in lenient["dominant"]] == [20, 21, 22, 23]


@pytest.mark.parametrize("ratio", [0.0, 1.0, -0.5])
def test_inactive_ratio_is_checked(ratio: float, tmp_path) -> None:
    from zspace.errors import ZspaceError

    with pytest.raises(ZspaceError, match="inactive ratio"):
        analyze(latents_with_stds([1.0] * 3, count=50), None, AnalysisOptions(inactive_ratio=ratio))
    assert not (tmp_path / "x").exists()
