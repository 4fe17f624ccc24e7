"""``gmm``: a Gaussian mixture fitted to the encodings, the ex-post density of Ghosh et al. 2020.

Ghosh et al. 2020 ("From Variational to Deterministic Autoencoders", sec. 4,
"ex-post density estimation") fit a 10-component GMM to the latents of a
trained deterministic AE and sample from it; that makes a plain AE a generator
as good as a VAE. The mixture is fitted with scikit-learn's EM
(``GaussianMixture``, seeded k-means++ start) and kept as plain arrays (weights, means, covariances),
so sampling and the saved state need no scikit-learn object and no pickle.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from scipy.special import logsumexp

from zspace.errors import ZspaceError
from zspace.samplers.base import Param, Sampler
from zspace.samplers.fullcov import cholesky_with_jitter, gaussian_log_prob


class GaussianMixtureSampler(Sampler):
    """p(z) = sum_k pi_k N(z; mu_k, Sigma_k), Sigma_k full or diagonal; EM from a seeded k-means++ start."""

    name = "gmm"
    params: ClassVar[dict[str, Param]] = {
        "k": Param(int, 10, "an integer >= 1 (number of mixture components)", lambda v: v >= 1),
        "cov": Param(str, "full", "one of: full, diag", lambda v: v in ("full", "diag")),
        "seed": Param(int, 0, "an integer >= 0 (seed of the EM initialisation)", lambda v: v >= 0),
        "max_iter": Param(int, 100, "an integer >= 1 (EM iterations at most)", lambda v: v >= 1),
    }

    def __init__(self, k: int = 10, cov: str = "full", seed: int = 0, max_iter: int = 100) -> None:
        self.k, self.cov, self.seed, self.max_iter = k, cov, seed, max_iter

    def _fit(self, latents: np.ndarray) -> None:
        if self.k > len(latents):
            raise ZspaceError(f"gmm:k={self.k} exceeds the {len(latents)} latent vectors; choose k <= {len(latents)}")
        # scikit-learn costs ~1 s to import: only when a mixture is fitted
        from sklearn.mixture import GaussianMixture

        def fitted(dtype):
            return GaussianMixture(
                n_components=self.k, covariance_type=self.cov, random_state=self.seed, max_iter=self.max_iter,
                init_params="k-means++", reg_covar=1e-6, tol=1e-3,
            ).fit(np.asarray(latents, dtype=dtype))

        try:
            mixture = fitted(np.float32)  # float32 EM: half the memory traffic of float64
        except ValueError:  # a component lost definiteness in float32 (seen: 6,000 x 256 AE latents): float64
            mixture = fitted(np.float64)
        weights, means, covariances = mixture.weights_, mixture.means_, mixture.covariances_
        self.converged_, self.iterations_ = bool(mixture.converged_), int(mixture.n_iter_)
        self.weights_ = np.asarray(weights, dtype=np.float64)  # (k,)
        self.means_ = np.asarray(means, dtype=np.float64)  # (k, d)
        self.covariances_ = np.asarray(covariances, dtype=np.float64)  # (k, d, d) full or (k, d) diag
        self._prepare()

    def _prepare(self) -> None:
        if self.cov == "full":
            self._scale = np.stack([cholesky_with_jitter(c) for c in self.covariances_])  # (k, d, d) lower
        else:
            self._scale = np.sqrt(self.covariances_)  # (k, d)

    @classmethod
    def from_state(cls, meta, arrays) -> GaussianMixtureSampler:
        sampler = super().from_state(meta, arrays)
        sampler._prepare()
        return sampler

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        counts = generator.multinomial(num_samples, self.weights_ / self.weights_.sum())  # (k,)
        eps = generator.standard_normal((num_samples, self.dim_), dtype=np.float32)
        z = np.empty_like(eps)
        start = 0
        for component, count in enumerate(counts):
            rows = slice(start, start + count)
            scale = self._scale[component].astype(np.float32)
            z[rows] = (eps[rows] @ scale.T if self.cov == "full" else eps[rows] * scale)
            z[rows] += self.means_[component].astype(np.float32)
            start += count
        # Shuffle so that consecutive samples are not grouped by component.
        order = generator.permutation(num_samples)
        return z[order]

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        """log sum_k pi_k N(z; mu_k, Sigma_k) per row (equals sklearn's score_samples)."""
        self._check_fitted()
        z = np.asarray(z, dtype=np.float64)
        per_component = np.empty((len(z), self.k))
        for j in range(self.k):
            if self.cov == "full":
                per_component[:, j] = gaussian_log_prob(z, self.means_[j], self._scale[j])
            else:
                var = self.covariances_[j]
                u = (z - self.means_[j]) ** 2 / var
                per_component[:, j] = -0.5 * (u.sum(1) + self.dim_ * math.log(2 * math.pi) + np.log(var).sum())
        return logsumexp(per_component + np.log(self.weights_), axis=1)
