"""The real side of an evaluation, measured once and reused against every fake set.

A run-level evaluation sets several samplers (and the held-out images) against
one real feature set. Its Gaussian fit, Σ^½ and k-NN radii do not depend on the
fake set, so they are computed once here: at 10,000 real rows the radii alone
are a 10,000 x 10,000 distance pass, the largest single cost of precision/recall.
The real side of the FD bootstrap (resampled fits and their Σ^½) and of KID
(random subsets and their within-set kernel sums) is drawn from its own seeded
stream and kept too, so each fake set pays only for its own half.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.evaluation.metrics.bootstrap import real_resample_fits
from zspace.evaluation.metrics.distances import neighbour_radii
from zspace.evaluation.metrics.fd import GaussianFit, SqrtCovariance, fit_gaussian, sqrt_covariance
from zspace.evaluation.metrics.kid import RealSubset, real_kernel_subsets
from zspace.evaluation.metrics.threads import single_blas_thread


@dataclass
class RealReference:
    """Real features with their Gaussian fit and Σ^½; k-NN radii made on first use per k."""

    features: np.ndarray  # (N, d)
    fit: GaussianFit
    root: SqrtCovariance
    _radii: dict[int, np.ndarray] = field(default_factory=dict)
    _resamples: dict[tuple, list[tuple[GaussianFit, SqrtCovariance]]] = field(default_factory=dict)
    _subsets: dict[tuple, list[RealSubset]] = field(default_factory=dict)

    def radii(self, *ks: int) -> dict[int, np.ndarray]:
        """{k: (N,) distance from each real row to its k-th nearest other real row}; new ks in one pass."""
        missing = tuple(k for k in ks if k not in self._radii)
        if missing:
            self._radii.update(neighbour_radii(self.features, missing))
        return {k: self._radii[k] for k in ks}

    def resamples(self, count: int, seed: np.random.SeedSequence) -> list[tuple[GaussianFit, SqrtCovariance]]:
        """``count`` bootstrap resamples of the real set (fit, Σ^½), drawn from ``seed``."""
        key = (count, seed.entropy, seed.spawn_key)
        if key not in self._resamples:
            with single_blas_thread():
                self._resamples[key] = real_resample_fits(self.features, count, np.random.default_rng(seed))
        return self._resamples[key]

    def kernel_subsets(self, count: int, size: int, seed: np.random.SeedSequence) -> list[RealSubset]:
        """``count`` random real subsets of ``size`` rows with their KID within-set terms, drawn from ``seed``."""
        key = (count, size, seed.entropy, seed.spawn_key)
        if key not in self._subsets:
            with single_blas_thread():
                self._subsets[key] = real_kernel_subsets(self.features, count, size, np.random.default_rng(seed))
        return self._subsets[key]


def real_reference(features: np.ndarray) -> RealReference:
    fit = fit_gaussian(features)
    return RealReference(features, fit, sqrt_covariance(fit.covariance))
