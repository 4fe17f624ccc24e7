"""fullcov-floor: the data's full-covariance Gaussian with variance max(lambda_i, floor) along each principal
axis (issue 21 section 6's ablation), checked against a numpy eigen-decomposition of planted latents."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from zspace.errors import ZspaceError
from zspace.samplers import parse_sampler
from zspace.samplers.fullcov_floor import FlooredCovarianceSampler
from zspace.samplers.persist import load_sampler, save_sampler

DIM = 6


def planted(rows: int = 5000, seed: int = 0) -> np.ndarray:
    """Latents with three wide correlated axes (variances about 4, 2, 1.5) and three collapsed ones (1e-4 to
    0.05), rotated so that the principal axes are not the coordinate axes, with a non-zero mean."""
    rng = np.random.default_rng(seed)
    variances = np.array([4.0, 2.0, 1.5, 0.05, 1e-3, 1e-4])
    rotation, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    points = rng.standard_normal((rows, DIM)) * np.sqrt(variances)
    return (points @ rotation.T + np.arange(DIM)).astype(np.float32)


def floored_reference(data: np.ndarray, floor: float) -> np.ndarray:
    """V diag(max(lambda, floor)) V^T of the maximum-likelihood covariance (1/N), straight from numpy."""
    covariance = np.cov(np.asarray(data, dtype=np.float64), rowvar=False, bias=True)
    values, vectors = np.linalg.eigh(covariance)
    return vectors @ np.diag(np.maximum(values, floor)) @ vectors.T


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return planted()


@pytest.mark.parametrize("floor", [1.0, 0.01, 3.0])
def test_the_covariance_is_the_floored_eigen_decomposition(data, floor):
    sampler = parse_sampler(f"fullcov-floor:floor={floor}").fit(data)
    np.testing.assert_allclose(sampler.covariance, floored_reference(data, floor), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sampler.mean_, data.astype(np.float64).mean(axis=0), rtol=1e-12)
    raw = np.linalg.eigvalsh(np.cov(data.astype(np.float64), rowvar=False, bias=True))
    assert sampler.floored_ == int(np.sum(raw < floor))  # floor 1 raises the three collapsed axes only
    assert parse_sampler("fullcov-floor").fit(data).floored_ == 3


def test_the_samples_have_that_covariance(data):
    sampler = parse_sampler("fullcov-floor").fit(data)
    z = sampler.sample(200_000, np.random.default_rng(1))
    target = floored_reference(data, 1.0)
    assert np.linalg.norm(np.cov(z, rowvar=False) - target) / np.linalg.norm(target) < 0.02
    np.testing.assert_allclose(z.mean(axis=0), data.mean(axis=0), atol=0.02)
    # along the collapsed principal axes the samples have unit variance, where the data has almost none
    values, vectors = np.linalg.eigh(np.cov(data.astype(np.float64), rowvar=False, bias=True))
    along = (z - z.mean(axis=0)) @ vectors[:, :3]
    np.testing.assert_allclose(along.var(axis=0), 1.0, rtol=0.02)
    assert values[:3].max() < 0.06


def test_a_floor_below_every_eigenvalue_is_fullcov_and_one_above_is_isotropic(data):
    tiny = parse_sampler("fullcov-floor:floor=1e-9").fit(data)
    np.testing.assert_allclose(tiny.covariance, parse_sampler("fullcov").fit(data).covariance_, atol=1e-9)
    huge = parse_sampler("fullcov-floor:floor=10").fit(data)
    np.testing.assert_allclose(huge.covariance, 10 * np.eye(DIM), atol=1e-9)


def test_log_prob_matches_scipy(data):
    sampler = parse_sampler("fullcov-floor").fit(data)
    probe = planted(100, seed=4)
    expected = multivariate_normal(sampler.mean_, floored_reference(data, 1.0)).logpdf(probe)
    np.testing.assert_allclose(sampler.log_prob(probe), expected, rtol=1e-8)


def test_state_round_trip_and_bad_floors(data, tmp_path):
    sampler = parse_sampler("fullcov-floor:floor=0.5").fit(data)
    assert sampler.spec == "fullcov-floor:floor=0.5"
    save_sampler(sampler, tmp_path / "state", "key")
    loaded, _ = load_sampler(tmp_path / "state")
    assert isinstance(loaded, FlooredCovarianceSampler) and loaded.floor == 0.5
    np.testing.assert_array_equal(loaded.sample(20, np.random.default_rng(2)),
                                  sampler.sample(20, np.random.default_rng(2)))
    for bad in ("0", "-1", "nan", "inf"):
        with pytest.raises(ZspaceError, match=r"^fullcov-floor:floor=\S+ is not allowed; floor must be a number > 0"):
            parse_sampler(f"fullcov-floor:floor={bad}")
    with pytest.raises(ZspaceError, match="fullcov-floor: not fitted"):
        FlooredCovarianceSampler().covariance  # noqa: B018 - the property raises
