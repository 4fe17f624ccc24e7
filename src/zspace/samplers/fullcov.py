"""``fullcov``: a Gaussian with the data's mean and full covariance; it carries the S9 correlations."""

from __future__ import annotations

import math

import numpy as np

from zspace.samplers.base import Sampler, as_float64


def cholesky_with_jitter(cov: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of ``cov``; adds a tiny multiple of I when ``cov`` is only semi-definite.

    Latents of an AE can be rank-deficient (a dead component, a dense
    bottleneck); the jitter starts at 1e-10 of the mean variance and grows
    tenfold until the factorisation succeeds.
    """
    scale = max(float(np.trace(cov)) / len(cov), 1e-12)
    jitter = 0.0
    for _ in range(12):
        try:
            return np.linalg.cholesky(cov + jitter * np.eye(len(cov)))
        except np.linalg.LinAlgError:
            jitter = scale * 1e-10 if jitter == 0 else jitter * 10
    raise np.linalg.LinAlgError("covariance is not positive semi-definite")


def gaussian_log_prob(z: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(z; mean, L L^T) per row, via one triangular solve (no inverse)."""
    # scipy.linalg only when the sampler is fitted
    from scipy.linalg import solve_triangular

    diff = np.asarray(z, dtype=np.float64) - mean  # (n, d)
    u = solve_triangular(chol, diff.T, lower=True)  # (d, n): L^{-1} (z - mu)
    log_det = 2 * np.log(np.diag(chol)).sum()
    return -0.5 * (np.einsum("dn,dn->n", u, u) + len(mean) * math.log(2 * math.pi) + log_det)


class FullCovarianceSampler(Sampler):
    """z = mu + L eps, eps ~ N(0, I), with Sigma = L L^T the data covariance (maximum likelihood, 1/N)."""

    name = "fullcov"
    def _fit(self, latents: np.ndarray) -> None:
        data = as_float64(latents)
        self.mean_ = data.mean(axis=0)  # (d,)
        centred = data - self.mean_
        self.covariance_ = centred.T @ centred / len(data)  # (d, d)
        self.cholesky_ = cholesky_with_jitter(self.covariance_)  # (d, d) lower

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        eps = generator.standard_normal((num_samples, self.dim_), dtype=np.float32)
        return eps @ self.cholesky_.T.astype(np.float32) + self.mean_.astype(np.float32)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        self._check_fitted()
        return gaussian_log_prob(z, self.mean_, self.cholesky_)
