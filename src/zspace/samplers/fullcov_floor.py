"""``fullcov-floor``: the data's full-covariance Gaussian with a variance floor along each principal axis.

An ablation of ``fullcov`` (issue 21, section 6): Sigma = V diag(lambda) V^T of the data, refitted as
V diag(max(lambda_i, floor)) V^T. Directions where the data has almost no variance (collapsed VAE units,
dead AE directions) get ``floor`` (1 by default: the variance N(0, I) gives every direction), the rest
keep the data's. If the decoder ignores the collapsed directions, these samples decode like ``fullcov``'s;
if it does not, adding variance where the data has none breaks them.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from zspace.samplers.base import Param, Sampler, as_float64


class FlooredCovarianceSampler(Sampler):
    """z = mu + V diag(sqrt(max(lambda, floor))) eps, eps ~ N(0, I), with V diag(lambda) V^T the data covariance
    (maximum likelihood, 1/N, as ``fullcov``)."""

    name = "fullcov-floor"
    params: ClassVar[dict[str, Param]] = {
        "floor": Param(float, 1.0, "a number > 0 (the least variance along a principal axis)",
                       lambda v: math.isfinite(v) and v > 0),
    }

    def __init__(self, floor: float = 1.0) -> None:
        self.floor = floor

    def _fit(self, latents: np.ndarray) -> None:
        data = as_float64(latents)
        self.mean_ = data.mean(axis=0)  # (d,)
        centred = data - self.mean_
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(data))  # ascending
        order = np.argsort(eigenvalues)[::-1]
        self.axes_ = eigenvectors[:, order].copy()  # (d, d), columns are the principal axes, widest first
        self.eigenvalues_ = np.maximum(eigenvalues[order], 0.0)  # (d,) the data's variance along each axis
        self.variances_ = np.maximum(self.eigenvalues_, self.floor)  # (d,) after the floor
        self.floored_ = int(np.sum(self.eigenvalues_ < self.floor))  # axes whose variance the floor raised

    @property
    def covariance(self) -> np.ndarray:
        """(d, d) V diag(max(lambda, floor)) V^T: the covariance the samples are drawn from."""
        self._check_fitted()
        return (self.axes_ * self.variances_) @ self.axes_.T

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        eps = generator.standard_normal((num_samples, self.dim_), dtype=np.float32)
        scaled = eps * np.sqrt(self.variances_).astype(np.float32)  # (n, d) along the axes
        return scaled @ self.axes_.T.astype(np.float32) + self.mean_.astype(np.float32)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        self._check_fitted()
        u = (np.asarray(z, dtype=np.float64) - self.mean_) @ self.axes_ / np.sqrt(self.variances_)  # (n, d)
        return (-0.5 * (np.einsum("nd,nd->n", u, u) + self.dim_ * math.log(2 * math.pi))
                - 0.5 * np.log(self.variances_).sum())
