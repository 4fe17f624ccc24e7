"""A smooth non-Gaussian null (issue 21): a Gaussian mixture fitted to the data, sampled at the data's N.

The Gaussian null (:mod:`null_model`) asks "is the cloud more than one
Gaussian?"; clusters, curvature and heavy tails already say yes. The mixture
asks "is it more than a few smooth blobs?": a mixture of ``components`` full-
covariance Gaussians (scikit-learn's ``GaussianMixture``, EM from k-means, at most
``max_iter`` = 30 steps - a null need not be the best fit, only smooth - on at
most ``fit_points`` seeded rows) reproduces clusters and broad curvature,
but not structure finer than its components - thin filaments, or voids
between them. A structure the mixture reproduces is real (the Gaussian null
rejects it) but smooth at the scale of a component.

This null is not exact as the Gaussian one is (its draws are not exchangeable
with the data under any hypothesis: the mixture is fitted, not conditioned on
sufficient statistics), so it is shown beside the data and named in the
evidence of each claim, never used for a p-value.
"""

from __future__ import annotations

import warnings

import numpy as np

from zspace.analysis.structure.local_shape import one_blas_thread
from zspace.errors import ZspaceError


class MixtureNull:
    """``fit(data, rng)`` returns self; ``weights_`` (K,), ``means_`` (K, d), ``factors_`` (K, d, d) Cholesky
    factors of the covariances; ``draw(rng)`` returns (N, d) float64 rows in random order."""

    def __init__(self, components: int = 10, fit_points: int = 4000, max_iter: int = 30) -> None:
        if components < 1:
            raise ZspaceError(f"mixture null components = {components} must be >= 1")
        self.components = components
        self.fit_points = fit_points
        self.max_iter = max_iter

    def fit(self, data: np.ndarray, rng: np.random.Generator) -> MixtureNull:
        # scikit-learn costs ~1 s to import: only when the mixture null is fitted
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import GaussianMixture
        from threadpoolctl import threadpool_limits

        data = np.asarray(data, dtype=np.float64)
        rows = data if len(data) <= self.fit_points else data[np.sort(rng.choice(len(data), self.fit_points,
                                                                                   replace=False))]
        components = min(self.components, max(1, len(rows) // (2 * data.shape[1] + 2)))
        # reg_covar relative to the data's scale: a collapsed direction keeps a positive variance
        scale = float(np.mean(np.var(rows, axis=0)))
        mixture = GaussianMixture(components, covariance_type="full", max_iter=self.max_iter,
                                  reg_covar=1e-6 * max(scale, 1e-300), random_state=int(rng.integers(2**31)))
        # one thread: EM's matrices are small, and spinning BLAS / OpenMP threads made the fit 40x slower on busy
        # cores (52 s against 1.3 s for 4,000 x 32, 10 components)
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore", ConvergenceWarning)  # a mixture short of convergence is still smooth
            mixture.fit(rows)
        self.weights_ = mixture.weights_ / mixture.weights_.sum()
        self.means_ = mixture.means_
        self.factors_ = np.linalg.cholesky(mixture.covariances_)
        self.count_ = len(data)
        self.converged_ = bool(mixture.converged_)
        return self

    @property
    def components_(self) -> int:
        return len(self.weights_)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """N points of the fitted mixture, in random order."""
        counts = rng.multinomial(self.count_, self.weights_)
        with one_blas_thread():  # small products
            parts = [self.means_[j] + rng.standard_normal((n, self.means_.shape[1])) @ self.factors_[j].T
                     for j, n in enumerate(counts) if n]
        cloud = np.concatenate(parts)
        return cloud[rng.permutation(len(cloud))]
