"""PCA from the streamed covariance (SPEC S12): an eigendecomposition of a d x d matrix, never an SVD of N x d.

With the exact covariance from :mod:`zspace.analysis.moments`, ``numpy.linalg.eigh``
gives the same axes and variances as scikit-learn's PCA (up to the sign of each
axis) at the cost of a d x d problem. Signs are fixed so that the largest
loading of each axis is positive, which makes figures reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.results import array_field


@dataclass
class PCAResult:
    mean: np.ndarray = array_field("(d,) mean the PCA centres on")
    components: np.ndarray = array_field("(d, d) principal axes, row k = axis k + 1")
    explained_variance: np.ndarray = array_field("(d,) variance along each axis (eigenvalues, descending)")
    explained_variance_ratio: np.ndarray  # (d,) share of the total variance of each axis

    def described(self) -> dict:
        return {"components_for_90pct": self.components_for(0.9)}

    def components_for(self, fraction: float = 0.9) -> int:
        """Fewest axes whose variance adds up to at least ``fraction`` of the total."""
        cumulative = np.cumsum(self.explained_variance_ratio)
        return int(min(np.searchsorted(cumulative, fraction - 1e-12) + 1, len(cumulative)))

    def project(self, chunk: np.ndarray, axes: np.ndarray | list[int] | None = None) -> np.ndarray:
        """Coordinates of the centred rows of ``chunk`` (c, d) on ``axes`` (0-based; default all)."""
        basis = self.components if axes is None else self.components[np.asarray(axes)]
        return (np.asarray(chunk, dtype=np.float64) - self.mean) @ basis.T  # (c, k)


def pca_from_covariance(mean: np.ndarray, covariance: np.ndarray) -> PCAResult:
    """Principal axes of a covariance matrix by ``eigh`` (ascending eigenvalues, reversed here)."""
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)  # tiny negative eigenvalues are rounding
    components = vectors[:, order].T  # (d, d)
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), largest])
    components *= np.where(signs == 0, 1.0, signs)[:, None]
    total = values.sum()
    ratio = values / total if total > 0 else np.zeros_like(values)
    return PCAResult(np.asarray(mean, dtype=np.float64), components, values, ratio)
