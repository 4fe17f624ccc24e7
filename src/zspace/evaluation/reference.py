"""The real side of an evaluation, measured once and reused against every fake set.

A run-level evaluation sets several samplers (and the held-out images) against
one real feature set. Its Gaussian fit, Σ^½ and k-NN radii do not depend on the
fake set, so they are computed once here: at 10,000 real rows the radii alone
are a 10,000 x 10,000 distance pass, the largest single cost of precision/recall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.evaluation.metrics.distances import kth_neighbour_radii
from zspace.evaluation.metrics.fd import GaussianFit, SqrtCovariance, fit_gaussian, sqrt_covariance


@dataclass
class RealReference:
    """Real features with their Gaussian fit and Σ^½; k-NN radii made on first use per k."""

    features: np.ndarray  # (N, d)
    fit: GaussianFit
    root: SqrtCovariance
    _radii: dict[int, np.ndarray] = field(default_factory=dict)

    def radii(self, k: int) -> np.ndarray:
        """(N,) distance from each real row to its k-th nearest other real row."""
        if k not in self._radii:
            self._radii[k] = kth_neighbour_radii(self.features, k)
        return self._radii[k]


def real_reference(features: np.ndarray) -> RealReference:
    fit = fit_gaussian(features)
    return RealReference(features, fit, sqrt_covariance(fit.covariance))
