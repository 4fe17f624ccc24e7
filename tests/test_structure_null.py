"""The Gaussian null keeps the data's mean and covariance exactly; p-values and corrections (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from zspace.analysis.structure.null_model import GaussianNull
from zspace.analysis.structure.null_tests import (
    StructureTest,
    benjamini_hochberg,
    evaluate_tests,
    holm,
    prediction_p_value,
)
from zspace.errors import ZspaceError
from zspace.results import to_json


def moments(cloud: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return cloud.mean(axis=0), np.cov(cloud, rowvar=False)


@pytest.mark.parametrize("rank", [64, 10, 1], ids=["full", "rank10", "rank1"])
def test_null_keeps_mean_and_covariance_exactly(rank):
    rng = np.random.default_rng(rank)
    data = rng.standard_normal((1500, rank)) @ rng.standard_normal((rank, 64)) * 0.7 + rng.normal(3, 2, 64)
    null = GaussianNull().fit(data)
    assert null.rank_ == rank
    mean, covariance = moments(data)
    for seed in range(3):
        draw = null.draw(np.random.default_rng(seed))
        assert draw.shape == data.shape
        draw_mean, draw_covariance = moments(draw)
        scale = np.abs(covariance).max()
        np.testing.assert_allclose(draw_mean, mean, rtol=0, atol=1e-11 * max(1.0, np.abs(mean).max()))
        np.testing.assert_allclose(draw_covariance, covariance, rtol=0, atol=1e-11 * scale)


def test_null_draws_differ_and_are_seeded():
    data = np.random.default_rng(0).standard_normal((200, 5))
    null = GaussianNull().fit(data)
    first, again = null.draw(np.random.default_rng(1)), null.draw(np.random.default_rng(1))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, null.draw(np.random.default_rng(2)))
    assert not np.allclose(np.sort(first[:, 0]), np.sort(data[:, 0]))


def test_null_rejects_bad_data():
    with pytest.raises(ZspaceError, match="variance"):
        GaussianNull().fit(np.ones((50, 4)))
    with pytest.raises(ZspaceError, match="shape"):
        GaussianNull().fit(np.ones(10))
    with pytest.raises(ZspaceError, match="rank"):
        GaussianNull().fit(np.random.default_rng(0).standard_normal((6, 10)))


def test_prediction_p_value_is_the_student_t_prediction_interval():
    null = np.array([1.0, 1.2, 0.9, 1.1, 1.05])
    data = 1.6
    t = (data - null.mean()) / (null.std(ddof=1) * np.sqrt(1 + 1 / 5))
    assert prediction_p_value(data, null) == pytest.approx(2 * stats.t.sf(t, 4))
    assert prediction_p_value(null.mean(), null) == pytest.approx(1.0)


def test_prediction_p_value_is_calibrated_for_normal_statistics():
    """Under exchangeability with normal statistics the p-value is uniform: P(p < a) = a."""
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((4000, 6))
    p = np.array([prediction_p_value(row[0], row[1:]) for row in draws])
    for level in (0.01, 0.05, 0.2):
        assert np.mean(p < level) == pytest.approx(level, abs=0.005 + level * 0.12)


def test_prediction_p_value_goes_below_the_rank_floor():
    test = StructureTest("x", 10.0, [1.0, 1.1, 0.9, 1.05, 0.95], 0.0)
    assert test.rank_p_value == pytest.approx(1 / 6)
    assert prediction_p_value(test.data, test.null_values) < 1e-4


def test_constant_null_uses_the_resolution():
    assert prediction_p_value(1.0, [1.0] * 5, resolution=0.001) == 1.0
    assert prediction_p_value(0.999, [1.0] * 5, resolution=0.001) > 0.3  # one probe of a thousand
    assert prediction_p_value(0.5, [1.0] * 5, resolution=0.001) < 1e-6
    assert prediction_p_value(0.5, [1.0] * 5) == 0.0
    with pytest.raises(ZspaceError, match="2 null draws"):
        prediction_p_value(1.0, [1.0])


def holm_by_definition(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    m = len(p)
    adjusted = np.empty(m)
    for rank, index in enumerate(order):
        adjusted[index] = min(1.0, max((m - j) * p[order[j]] for j in range(rank + 1)))
    return adjusted


def bh_by_definition(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    m = len(p)
    adjusted = np.empty(m)
    for rank, index in enumerate(order):
        adjusted[index] = min(1.0, min(m * p[order[j]] / (j + 1) for j in range(rank, m)))
    return adjusted


def test_holm_and_benjamini_hochberg_match_their_definitions():
    p = np.random.default_rng(3).uniform(0, 0.2, 17) ** 2
    np.testing.assert_allclose(holm(p), holm_by_definition(p))
    np.testing.assert_allclose(benjamini_hochberg(p), bh_by_definition(p))
    assert np.isnan(holm(np.array([0.01, np.nan]))[1])
    assert holm(np.array([0.01, np.nan]))[0] == pytest.approx(0.01)  # NaN is not counted as a test


def test_evaluate_tests_marks_significance_after_correction():
    tests = [StructureTest("strong", 50.0, [1.0, 1.1, 0.9, 1.05, 0.95], 0.0),
             StructureTest("none", 1.0, [1.0, 1.1, 0.9, 1.05, 0.95], 0.0)]
    evaluate_tests(tests, alpha=0.05, correction="holm")
    assert tests[0].significant and not tests[1].significant
    assert tests[0].p_adjusted == pytest.approx(2 * tests[0].p_value)
    keys = set(to_json(tests[0]))
    assert {"name", "data", "null_mean", "null_std", "p_value", "significant"} <= keys
    with pytest.raises(ZspaceError, match="correction"):
        evaluate_tests(tests, correction="bonferroni")
