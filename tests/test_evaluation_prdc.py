"""Precision/recall/density/coverage and realism (issue 13): exactly the authors' prdc results, in blocks."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from zspace.errors import ZspaceError
from zspace.evaluation.metrics.distances import kth_neighbour_radii
from zspace.evaluation.metrics.prdc import precision_recall_density_coverage

CASES = [(300, 250, 8, 5), (200, 200, 3, 1), (150, 400, 20, 10)]  # (N real, M fake, d, k)


def data(n: int, m: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)) * 1.2 + 0.3


def plain_prdc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """Kynkäänniemi et al. 2019 eq. 1-2, Naeem et al. 2020 eq. 3-4, on whole distance matrices."""
    real_radii = np.sort(cdist(real, real), axis=1)[:, k]  # column 0 is the point itself
    fake_radii = np.sort(cdist(fake, fake), axis=1)[:, k]
    d = cdist(real, fake)  # (N, M)
    inside = d < real_radii[:, None]
    return {
        "precision": inside.any(axis=0).mean(),
        "recall": (d < fake_radii[None, :]).any(axis=1).mean(),
        "density": inside.sum() / (k * len(fake)),
        "coverage": (d.min(axis=1) < real_radii).mean(),
    }


@pytest.mark.parametrize(("n", "m", "d", "k"), CASES)
def test_matches_the_prdc_package_exactly(n: int, m: int, d: int, k: int) -> None:
    prdc = pytest.importorskip("prdc")
    real, fake = data(n, m, d, seed=n + d)
    with contextlib.redirect_stdout(io.StringIO()):  # compute_prdc prints the set sizes
        expected = prdc.compute_prdc(real, fake, nearest_k=k)
    # Blocks of a few rows: many block boundaries, same answer as the whole matrix.
    result = precision_recall_density_coverage(real, fake, k=k, block_bytes=8 * 7 * max(n, m))
    for name in ("precision", "recall", "density", "coverage"):
        assert getattr(result, name) == pytest.approx(float(expected[name]), rel=1e-12, abs=0), name


@pytest.mark.parametrize(("n", "m", "d", "k"), CASES)
def test_matches_the_papers_formulas(n: int, m: int, d: int, k: int) -> None:
    real, fake = data(n, m, d, seed=n + d)
    expected = plain_prdc(real, fake, k)
    result = precision_recall_density_coverage(real, fake, k=k, block_bytes=8 * 13 * max(n, m))
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(float(value), rel=1e-12, abs=0), name


def test_realism_score_is_the_max_ratio_over_the_smaller_half_of_the_balls() -> None:
    real, fake = data(300, 120, 6, seed=9)
    radii = np.sort(cdist(real, real), axis=1)[:, 5]
    kept = radii <= np.median(radii)
    expected = (radii[kept, None] / cdist(real[kept], fake)).max(axis=0)
    result = precision_recall_density_coverage(real, fake, k=5, block_bytes=8 * 17 * 300)
    np.testing.assert_allclose(result.realism, expected, rtol=1e-10)
    # R ≥ 1 exactly when the sample lies inside a kept ball (Kynkäänniemi et al. 2019, sec. 5).
    inside_kept = (cdist(real[kept], fake) <= radii[kept, None]).any(axis=0)
    np.testing.assert_array_equal(result.realism >= 1, inside_kept)


def test_radii_of_duplicated_rows_and_samples_on_real_points() -> None:
    real, _ = data(50, 1, 4, seed=3)
    doubled = np.concatenate([real, real])
    # Each row's nearest other row is its copy: 0 up to the rounding of ‖x‖² − 2x·y + ‖y‖² (as in sklearn).
    assert np.all(kth_neighbour_radii(doubled, 1) < 1e-6)
    result = precision_recall_density_coverage(real, real[:10].copy(), k=3)
    assert result.precision == 1.0 and np.all(result.realism[np.isfinite(result.realism)] >= 0)
    assert (result.realism > 1e5).sum() >= 1  # samples on kept real points: huge or inf, never NaN


def test_k_must_leave_neighbours() -> None:
    real, fake = data(10, 6, 2, seed=0)
    with pytest.raises(ZspaceError, match="k=6"):
        precision_recall_density_coverage(real, fake, k=6)
    with pytest.raises(ZspaceError, match="k=0"):
        precision_recall_density_coverage(real, fake, k=0)


def test_each_pair_takes_its_papers_k() -> None:
    """Precision/recall/realism at Kynkäänniemi et al.'s k = 3, density/coverage at Naeem et al.'s k = 5."""
    prdc = pytest.importorskip("prdc")
    real, fake = data(240, 200, 6, seed=4)
    with contextlib.redirect_stdout(io.StringIO()):
        at3, at5 = prdc.compute_prdc(real, fake, nearest_k=3), prdc.compute_prdc(real, fake, nearest_k=5)
    result = precision_recall_density_coverage(real, fake, k=5, precision_recall_k=3, block_bytes=8 * 11 * 240)
    assert (result.k, result.precision_recall_k) == (5, 3)
    for name, expected in (("precision", at3), ("recall", at3), ("density", at5), ("coverage", at5)):
        assert getattr(result, name) == pytest.approx(float(expected[name]), rel=1e-12, abs=0), name
    assert at3["precision"] != at5["precision"]  # the k matters on this data
    same = precision_recall_density_coverage(real, fake, k=3)
    np.testing.assert_array_equal(result.realism, same.realism)  # realism follows precision_recall_k
