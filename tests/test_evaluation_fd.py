"""Fréchet distance (issue 13): against scipy's sqrtm formula, the diagonal closed form, and its edge cases."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from zspace.evaluation.metrics.bootstrap import fd_bootstrap
from zspace.evaluation.metrics.fd import GaussianFit, fd_from_fits, fit_gaussian, frechet_distance
from zspace.evaluation.metrics.sample_size import fd_sample_size_bias, fd_sizes


def sqrtm_fd(real: np.ndarray, fake: np.ndarray) -> float:
    """The formula as pytorch-fid writes it, with scipy.linalg.sqrtm on Σ₁Σ₂."""
    mu1, mu2 = real.mean(axis=0), fake.mean(axis=0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float((mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


@pytest.mark.parametrize("dim", [3, 20])
def test_fd_matches_scipy_sqrtm(dim: int) -> None:
    rng = np.random.default_rng(dim)
    mixing = rng.normal(size=(dim, dim))
    real = rng.normal(size=(400, dim)) @ mixing
    fake = rng.normal(size=(300, dim)) @ (mixing * 1.3) + 0.5
    result = frechet_distance(real, fake)
    assert result.value == pytest.approx(sqrtm_fd(real, fake), rel=1e-9)
    assert (result.rank_real, result.rank_fake, result.dim) == (dim, dim, dim)


def test_fd_closed_form_for_diagonal_gaussians() -> None:
    # FD(N(μ₁, diag σ₁²), N(μ₂, diag σ₂²)) = ‖μ₁ − μ₂‖² + Σᵢ (σ₁ᵢ − σ₂ᵢ)²
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    sd1, sd2 = rng.uniform(0.1, 3, size=6), rng.uniform(0.1, 3, size=6)
    real = GaussianFit(10, mu1, np.diag(sd1**2))
    fake = GaussianFit(10, mu2, np.diag(sd2**2))
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((sd1 - sd2) ** 2)
    assert fd_from_fits(real, fake) == pytest.approx(expected, rel=1e-12)


def test_fd_of_two_draws_of_one_distribution_is_near_zero() -> None:
    rng = np.random.default_rng(1)
    scale = 50.0
    real = rng.normal(size=(20000, 4)) * scale + 1000.0
    fake = rng.normal(size=(20000, 4)) * scale + 1000.0
    # Against the total variance 4·scale²: a draw of 20,000 leaves FD ~ d²/N of it.
    assert frechet_distance(real, fake).value / (4 * scale**2) < 2e-3
    assert frechet_distance(real, real).value == pytest.approx(0.0, abs=1e-9 * scale**2)


def test_rank_deficient_covariance_is_reported_not_raised() -> None:
    rng = np.random.default_rng(2)
    flat = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 10))  # rank 3 in 10 dimensions
    full = rng.normal(size=(500, 10))
    result = frechet_distance(flat, full)
    assert np.isfinite(result.value) and result.value > 0
    assert (result.rank_real, result.rank_fake) == (3, 10)
    assert frechet_distance(flat, flat).value == pytest.approx(0.0, abs=1e-8)
    constant = np.ones((50, 5))  # rank 0
    assert frechet_distance(constant, constant + 1.0).value == pytest.approx(5.0)


def test_weighted_fit_equals_fit_of_the_resample() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(200, 5)) + 3.0
    rows = rng.integers(0, 200, size=200)
    weighted = fit_gaussian(data, np.bincount(rows, minlength=200).astype(float))
    plain = fit_gaussian(data[rows])
    np.testing.assert_allclose(weighted.mean, plain.mean, rtol=1e-12)
    np.testing.assert_allclose(weighted.covariance, plain.covariance, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(plain.covariance, np.cov(data[rows], rowvar=False), rtol=1e-10)


def test_bootstrap_interval_brackets_fd_and_is_seeded() -> None:
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(1000, 8)), rng.normal(size=(1000, 8)) * 1.2
    fd = frechet_distance(real, fake).value
    first = fd_bootstrap(real, fake, 50, rng=np.random.default_rng(7))
    again = fd_bootstrap(real, fake, 50, rng=np.random.default_rng(7))
    assert first.low < fd < first.high
    assert first.shift > 0  # resampling repeats rows: FD* sits above FD
    assert (first.low, first.high) == (again.low, again.high)


def test_fd_sample_size_bias_extrapolates_below_fd() -> None:
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(4000, 40)), rng.normal(size=(3000, 40)) * 1.1
    bias = fd_sample_size_bias(real, fake, points=8, rng=np.random.default_rng(0))
    assert bias.sizes == fd_sizes(3000, 40, 8) and bias.sizes[0] == 300 and bias.sizes[-1] == 3000
    assert bias.values[0] > 2 * bias.values[-1]  # fewer samples, larger FD
    # The true FD is 40 · 0.1² = 0.4; FD∞ removes the fake side's bias (the real side's stays).
    assert 0.4 < bias.infinity < bias.values[-1] and bias.slope > 0
    small = fd_sizes(30, 10, 15)  # never fewer than d + 1 rows
    assert small[0] == 11 and small[-1] == 30 and len(small) == 15 and small == sorted(set(small))
