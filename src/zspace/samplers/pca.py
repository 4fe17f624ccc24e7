"""``pca``: a Gaussian in the top-k principal subspace of the data, plus the mean (seed S12's PCA)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from zspace.errors import ZspaceError
from zspace.samplers.base import Param, Sampler, as_float64


class PCASampler(Sampler):
    """z = mu + sum_{j<k} sqrt(lambda_j) eps_j v_j: the full-covariance Gaussian truncated to k axes.

    The remaining d - k directions are set to the mean, so the density is
    degenerate in R^d and there is no ``log_prob``.
    """

    name = "pca"
    params: ClassVar[dict[str, Param]] = {
        "k": Param(int, 32, "an integer >= 1 (number of principal axes kept)", lambda v: v >= 1),
    }

    def __init__(self, k: int = 32) -> None:
        self.k = k

    def _fit(self, latents: np.ndarray) -> None:
        if self.k > latents.shape[1]:
            raise ZspaceError(f"pca:k={self.k} exceeds the latent dim {latents.shape[1]}; "
                              f"choose k between 1 and {latents.shape[1]}")
        data = as_float64(latents)
        self.mean_ = data.mean(axis=0)  # (d,)
        centred = data - self.mean_
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(data))  # ascending
        order = np.argsort(eigenvalues)[::-1][: self.k]
        self.components_ = eigenvectors[:, order].T.copy()  # (k, d), rows are unit axes
        self.explained_variance_ = np.maximum(eigenvalues[order], 0.0)  # (k,)

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        eps = generator.standard_normal((num_samples, self.k), dtype=np.float32)  # (n, k)
        scaled = eps * np.sqrt(self.explained_variance_).astype(np.float32)
        return scaled @ self.components_.astype(np.float32) + self.mean_.astype(np.float32)
