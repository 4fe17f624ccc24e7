"""KID (issue 13): the unbiased MMD² against a plainly written double sum, subsets seeded."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.errors import ZspaceError
from zspace.evaluation.metrics.kid import kernel_inception_distance, mmd2_unbiased


def plain_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Gretton et al. 2012, eq. 3, with k(a, b) = (a·b/d + 1)³, written as loops."""
    d = x.shape[1]

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return (float(a @ b) / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_mmd2_matches_the_double_sum() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 7)), rng.normal(size=(25, 7)) * 1.3 + 0.2
    assert mmd2_unbiased(x, y) == pytest.approx(plain_mmd2(x, y), rel=1e-10)


def test_kid_at_n_equal_to_the_subset_size_has_a_spread() -> None:
    """Issue 23 item 6: with n = subset size every subset was the whole set and the spread printed 0.00000."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 5)), rng.normal(size=(40, 5)) + 0.3
    kid = kernel_inception_distance(x, y, subsets=3, subset_size=40, rng=np.random.default_rng(0))
    assert kid.subset_size == 20 and kid.std > 0.01  # half of the smaller set: subsets differ
    # Each subset is the unbiased MMD² of its rows: the first one redrawn from the same seed.
    draw = np.random.default_rng(0)
    real_rows = [np.sort(draw.choice(40, 20, replace=False)) for _ in range(3)]  # all real subsets first
    fake_rows = np.sort(draw.choice(40, 20, replace=False))
    assert kid.values[0] == pytest.approx(plain_mmd2(x[real_rows[0]], y[fake_rows]), rel=1e-10)


def test_kid_needs_four_rows_per_set() -> None:
    x = np.random.default_rng(3).normal(size=(3, 2))
    with pytest.raises(ZspaceError, match="KID subset size 1"):
        kernel_inception_distance(x, x + 1.0, subsets=2)


def test_kid_is_unbiased_near_zero_for_one_distribution_and_seeded() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(3000, 16)), rng.normal(size=(2500, 16))
    first = kernel_inception_distance(x, y, subsets=20, subset_size=500, rng=np.random.default_rng(5))
    again = kernel_inception_distance(x, y, subsets=20, subset_size=500, rng=np.random.default_rng(5))
    assert first.mean == again.mean and first.std == again.std
    assert abs(first.mean) < 3 * first.std / np.sqrt(20) + 1e-12
    shifted = kernel_inception_distance(x, y + 0.5, subsets=20, subset_size=500, rng=np.random.default_rng(5))
    assert shifted.mean > 10 * shifted.std / np.sqrt(20)
