"""Fréchet distance between two sets of feature vectors (the "FD" of FID).

Heusel et al. 2017 ("GANs trained by a two time-scale update rule converge to a
local Nash equilibrium", sec. 3) fit a Gaussian to each set of features and use
the Fréchet (2-Wasserstein) distance between them (Dowson & Landau 1982):

    FD = ||μ₁ − μ₂||² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½

Published code (pytorch-fid, clean-fid) computes ``tr sqrtm(Σ₁ Σ₂)`` with
``scipy.linalg.sqrtm`` on the non-symmetric product and fails on rounding noise
("imaginary component", pytorch-fid #13/#29/#100). Σ₁ Σ₂ is similar to the
symmetric positive semi-definite matrix Σ₁^½ Σ₂ Σ₁^½ (Σ₁^½ Σ₁^½ Σ₂ ~ Σ₁^½ Σ₂ Σ₁^½),
so both have the same eigenvalues λᵢ ≥ 0 and tr (Σ₁ Σ₂)^½ = Σᵢ √λᵢ. A symmetric
eigensolver returns them as real numbers; the tiny negative ones are rounding
noise and are clipped to zero. Everything runs in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.arrays import check_matrix
from zspace.errors import ZspaceError

# float64 rows per chunk when summing moments: about 32 MB at d = 512.
CHUNK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class GaussianFit:
    """Mean and unbiased covariance (divides by N − 1, like ``numpy.cov``) of N feature vectors."""

    count: int
    mean: np.ndarray  # (d,) float64
    covariance: np.ndarray  # (d, d) float64


@dataclass(frozen=True)
class FrechetDistance:
    value: float
    dim: int
    rank_real: int  # rank of Σ_real; below dim means a degenerate (flat) Gaussian
    rank_fake: int


def _chunk_rows(dim: int) -> int:
    return max(64, CHUNK_BYTES // (8 * max(dim, 1)))


def fit_gaussian(features: np.ndarray, weights: np.ndarray | None = None) -> GaussianFit:
    """Mean and covariance in float64, read in chunks of rows (a memmap works).

    ``weights`` (N,) are non-negative integer counts: the moments of the multiset in
    which row i appears ``weights[i]`` times, i.e. of a bootstrap resample, without
    building that resample.
    """
    total, dim = features.shape
    count = total if weights is None else int(np.sum(weights))
    if count < 2:
        raise ZspaceError(f"{count} feature vectors: a covariance needs at least 2")
    step = _chunk_rows(dim)
    mean = np.zeros(dim)
    for start in range(0, total, step):
        chunk = np.asarray(features[start:start + step], dtype=np.float64)  # (c, d)
        mean += chunk.sum(axis=0) if weights is None else weights[start:start + step] @ chunk
    mean /= count
    # Second pass on centred rows: no cancellation however large the mean is against the spread.
    covariance = np.zeros((dim, dim))
    for start in range(0, total, step):
        centred = np.asarray(features[start:start + step], dtype=np.float64) - mean  # (c, d)
        if weights is not None:
            centred *= np.sqrt(weights[start:start + step], dtype=np.float64)[:, None]
        covariance += centred.T @ centred
    covariance /= count - 1
    return GaussianFit(count, mean, covariance)


def psd_eigenvalues(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (clipped at 0) and eigenvectors of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)  # symmetrise away rounding asymmetry
    return np.clip(values, 0.0, None), vectors


def rank_of(eigenvalues: np.ndarray) -> int:
    """Numerical rank with numpy.linalg.matrix_rank's tolerance: max λ · d · eps."""
    if eigenvalues.size == 0 or eigenvalues.max() <= 0:
        return 0
    tolerance = eigenvalues.max() * eigenvalues.size * np.finfo(np.float64).eps
    return int(np.sum(eigenvalues > tolerance))


@dataclass(frozen=True)
class SqrtCovariance:
    """Σ^½ of one set, computed once and reused against many others (bootstrap, FD at several n)."""

    root: np.ndarray  # (d, d) symmetric
    rank: int
    trace: float  # tr Σ


def sqrt_covariance(covariance: np.ndarray) -> SqrtCovariance:
    values, vectors = psd_eigenvalues(covariance)
    root = (vectors * np.sqrt(values)) @ vectors.T  # V diag(√λ) Vᵀ
    return SqrtCovariance(root, rank_of(values), float(np.trace(covariance)))


def trace_sqrt_product(root_a: np.ndarray, covariance_b: np.ndarray) -> float:
    """tr (Σ_a Σ_b)^½ = Σᵢ √λᵢ(Σ_a^½ Σ_b Σ_a^½), never complex (see the module docstring)."""
    values, _ = psd_eigenvalues(root_a @ covariance_b @ root_a)
    return float(np.sum(np.sqrt(values)))


def fd_from_fits(real: GaussianFit, fake: GaussianFit, real_root: SqrtCovariance | None = None) -> float:
    """FD of two Gaussian fits; pass ``real_root`` to reuse Σ_real^½."""
    real_root = real_root or sqrt_covariance(real.covariance)
    difference = real.mean - fake.mean
    value = (difference @ difference + real_root.trace + float(np.trace(fake.covariance))
             - 2.0 * trace_sqrt_product(real_root.root, fake.covariance))
    # Two fits of one set give 0 up to rounding, which may fall a hair below it.
    return max(float(value), 0.0)


def frechet_distance(real: np.ndarray, fake: np.ndarray) -> FrechetDistance:
    """FD between two N x d feature arrays (rows are samples), with the ranks of both covariances."""
    check_matrix(real, "real features", "features")
    check_matrix(fake, "fake features", "features")
    if real.shape[1] != fake.shape[1]:
        raise ZspaceError(f"feature arrays of shapes {real.shape} and {fake.shape}: need N x d and M x d")
    real_fit, fake_fit = fit_gaussian(real), fit_gaussian(fake)
    real_root = sqrt_covariance(real_fit.covariance)
    fake_rank = rank_of(psd_eigenvalues(fake_fit.covariance)[0])
    return FrechetDistance(fd_from_fits(real_fit, fake_fit, real_root), real.shape[1], real_root.rank, fake_rank)
