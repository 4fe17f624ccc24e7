"""Latent-side ablations (zspace.evaluation.ablation_latents): the Mahalanobis distance on all units and on the
active units only, checked against a direct numpy computation on planted clouds whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from zspace.errors import ZspaceError
from zspace.evaluation.ablation_latents import latent_ablation, mahalanobis_to_data
from zspace.evaluation.ablation_summary import claim, claim_words, paired, sampler_summaries

ACTIVE, COLLAPSED = 6, 10


def planted_vae(rows: int = 4000, seed: int = 0) -> np.ndarray:
    """A VAE-like cloud: 6 active units (variance 0.5, in rotated axes) and 10 collapsed ones (variance 1e-4,
    under Burda's threshold 0.01), shifted off the origin."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.standard_normal((ACTIVE, ACTIVE)))
    active = rng.standard_normal((rows, ACTIVE)) * np.sqrt(0.5) @ rotation.T  # covariance 0.5 I, rotated
    collapsed = rng.standard_normal((rows, COLLAPSED)) * 0.01
    return np.concatenate([active, collapsed], axis=1) + 0.2


def direct(points: np.ndarray, data: np.ndarray) -> np.ndarray:
    """sqrt((z - mean)' C^-1 (z - mean)) with numpy's covariance and an explicit inverse."""
    inverse = np.linalg.inv(np.cov(data, rowvar=False))
    diff = points - data.mean(axis=0)
    return np.sqrt(np.einsum("ni,ij,nj->n", diff, inverse, diff))


def test_mahalanobis_on_the_active_units_equals_numpy_on_those_columns():
    data = planted_vae()
    points = np.random.default_rng(1).standard_normal((300, ACTIVE + COLLAPSED))
    units = list(range(ACTIVE))
    np.testing.assert_allclose(mahalanobis_to_data(points, data, units), direct(points[:, units], data[:, units]),
                               rtol=1e-8)
    np.testing.assert_allclose(mahalanobis_to_data(points, data), direct(points, data), rtol=1e-6)
    some = [0, 3, 9]  # any subset, in any position
    np.testing.assert_allclose(mahalanobis_to_data(points, data, some), direct(points[:, some], data[:, some]),
                               rtol=1e-8)


def test_n01_points_are_far_on_all_units_and_at_home_on_the_active_ones():
    data = planted_vae()
    found = latent_ablation(data, specs=("normal", "fullcov", "fullcov-floor"), count=2000, seed=0)
    assert found["active_units"] == list(range(ACTIVE)) and found["active_count"] == ACTIVE
    assert found["dim"] == ACTIVE + COLLAPSED
    # the data's own points: the median of a chi distribution with d degrees of freedom, about sqrt(d)
    assert found["data"]["all"] == pytest.approx(np.median(direct(data, data)), rel=1e-6)
    assert found["data"]["all"] == pytest.approx(np.sqrt(ACTIVE + COLLAPSED - 2 / 3), rel=0.05)
    assert found["data"]["active"] == pytest.approx(np.sqrt(ACTIVE - 2 / 3), rel=0.05)
    normal = found["samplers"]["normal"]
    # N(0, I) is ~100 data sds away along each collapsed unit: far from the data on all units
    assert normal["all"] > 250
    # on the active units it is a bit wider than the data (variance 1 against about 0.5) and 0.2 off its mean
    expected = np.median(direct(np.random.default_rng(5).standard_normal((20_000, ACTIVE)), data[:, :ACTIVE]))
    assert normal["active"] == pytest.approx(expected, rel=0.05)
    assert found["data"]["active"] < normal["active"] < 3 * found["data"]["active"]
    # fullcov sits where the data does; the floor puts it back far away on all units, not on the active ones
    assert found["samplers"]["fullcov"]["all"] == pytest.approx(found["data"]["all"], rel=0.05)
    assert found["samplers"]["fullcov-floor"]["all"] > 250
    assert found["samplers"]["fullcov-floor"]["active"] < 1.5 * found["data"]["active"]


def test_a_run_without_active_units_and_mismatched_shapes_are_one_line_errors():
    data = np.random.default_rng(0).standard_normal((500, 4)) * 0.001
    assert latent_ablation(data, specs=("normal",), count=50)["data"]["active"] is None
    with pytest.raises(ZspaceError, match="no active units"):
        mahalanobis_to_data(data, data, [])
    with pytest.raises(ZspaceError, match="same number of columns"):
        mahalanobis_to_data(data[:, :3], data)


def rows_of(values: dict[str, list[float]]) -> list[dict]:
    """Evaluation rows of three seeds: {sampler: [fd of seed 0, 1, 2]}."""
    return [{"run": f"r-s{seed}", "sampler": sampler, "fd": fd, "fd_equal_n": {"fd": fd}}
            for sampler, fds in values.items() for seed, fd in enumerate(fds)]


def test_claims_are_decided_from_t_intervals_over_seeds_and_the_paired_interval_is_labelled():
    # networks differ a lot between seeds (2, 6, 10) but b is always worse than a by 1.0 +- 0.1
    rows = rows_of({"a": [2.0, 6.0, 10.0], "b": [3.1, 6.9, 11.0], "c": [30.0, 31.0, 32.0]})
    found = sampler_summaries(rows)
    low, high = stats.t.interval(0.95, 2, loc=6.0, scale=stats.sem([2.0, 6.0, 10.0]))
    assert found["a"]["fd"]["interval"] == pytest.approx([low, high]) and found["a"]["fd"]["n"] == 3
    overlapping = claim("a lower than b", found["a"]["fd"], found["b"]["fd"], "lower", paired(rows, "a", "b"))
    assert overlapping["verdict"] == "inconclusive"  # the seeds' spread swamps the difference...
    assert overlapping["paired"]["verdict"] == "agrees"  # ...which every seed shows
    assert overlapping["paired"]["mean"] == pytest.approx(-1.0)
    sentence = claim_words(overlapping)
    assert "**inconclusive** (t intervals over seeds overlap)" in sentence and "paired per seed" in sentence
    assert claim("c lower than a", found["c"]["fd"], found["a"]["fd"], "lower")["verdict"] == "disagrees"
    assert claim("a lower than c", found["a"]["fd"], found["c"]["fd"], "lower")["verdict"] == "agrees"
    one_seed = sampler_summaries(rows_of({"a": [2.0], "b": [9.0]}))
    lonely = claim("a lower than b", one_seed["a"]["fd"], one_seed["b"]["fd"], "lower")
    assert lonely["verdict"] == "inconclusive" and "fewer than 2 seeds" in claim_words(lonely)


def test_n01_sits_in_the_aggregate_posterior_of_a_vae_whose_means_are_squeezed():
    data = planted_vae()  # means: variance 0.5 on active units, 1e-4 on collapsed ones
    variance = np.concatenate([np.full(ACTIVE, 0.5), np.full(COLLAPSED, 1 - 1e-4)])
    logvar = np.tile(np.log(variance), (len(data), 1))  # encoder noise fills each unit up to variance 1
    found = latent_ablation(data - 0.2, specs=("normal",), count=2000, seed=0, logvar=logvar)
    assert found["samplers"]["normal"]["all"] > 250  # far from the means...
    ratio = found["samplers"]["normal"]["posterior"] / found["data"]["posterior"]
    assert ratio == pytest.approx(1.0, abs=0.05)  # ...at home in the cloud the decoder was trained on
    assert found["data"]["posterior"] == pytest.approx(np.sqrt(ACTIVE + COLLAPSED - 2 / 3), rel=0.05)
    with pytest.raises(ZspaceError, match="differ in shape"):
        latent_ablation(data, specs=("normal",), logvar=logvar[:, :3])
