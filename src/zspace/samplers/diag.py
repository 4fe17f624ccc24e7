"""``diag``: a Gaussian with the data's mean and per-component variances, no correlations."""

from __future__ import annotations

import math

import numpy as np

from zspace.samplers.base import Sampler, as_float64


class DiagonalGaussianSampler(Sampler):
    """z ~ N(mu, diag(sigma^2)) with mu, sigma^2 the per-component moments of the data (seed S7's mu, hw)."""

    name = "diag"
    def _fit(self, latents: np.ndarray) -> None:
        data = as_float64(latents)
        self.mean_ = data.mean(axis=0)  # (d,)
        # A constant component would give sigma = 0 and an infinite log density; floor it.
        self.std_ = np.maximum(data.std(axis=0), 1e-6)  # (d,)

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        eps = generator.standard_normal((num_samples, self.dim_), dtype=np.float32)
        return eps * self.std_.astype(np.float32) + self.mean_.astype(np.float32)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        self._check_fitted()
        u = (np.asarray(z, dtype=np.float64) - self.mean_) / self.std_  # (n, d)
        return -0.5 * (np.einsum("nd,nd->n", u, u) + self.dim_ * math.log(2 * math.pi)) - np.log(self.std_).sum()
