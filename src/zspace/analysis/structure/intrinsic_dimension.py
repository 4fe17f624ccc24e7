"""Intrinsic dimension from nearest-neighbour distances (TwoNN, MLE) and from the spectrum (PCA).

All three take the sorted neighbour distances that :mod:`zspace.neighbours` returns,
(m, k) for m query points, nearest first, the query itself left out. With the
queries being all points this is the textbook estimator; with a subsample of
queries against all points it is the same estimator on fewer terms.

- TwoNN (Facco, d'Errico, Rodriguez & Laio 2017, Sci. Rep. 7:12140): the ratio
  mu = r2 / r1 of the two nearest distances follows a Pareto law
  F(mu) = 1 - mu^(-d) whatever the density, so -log(1 - F(mu)) = d log(mu):
  a line through the origin fitted by least squares (their eq. 5) after
  discarding the largest 10 % of mu (their heuristic against outliers), with
  the empirical F(mu_(i)) = i / m over all m points (as scikit-dimension).
- MLE (Levina & Bickel 2004, NIPS, eq. 8): per point,
  m_k(x) = [ 1/(k-1) sum_{j<k} log(T_k(x) / T_j(x)) ]^(-1); averaged over
  points as MacKay & Ghahramani (2005) advise, by the mean of the inverses
  (the inverse is the unbiased quantity): m_k = 1 / mean_x(1 / m_k(x));
  then averaged over k = k1 ... k2 (Levina & Bickel, eq. 9; they used 10 ... 20).
- PCA: the fewest principal axes whose variance adds up to 90 % / 95 %.

Points with a zero distance among the ones used (duplicates) are left out of
TwoNN and MLE: their ratios are undefined.
"""

from __future__ import annotations

import numpy as np

from zspace.analysis.pca import pca_from_covariance
from zspace.errors import ZspaceError


def twonn(distances: np.ndarray, discard_fraction: float = 0.1) -> float:
    """TwoNN intrinsic dimension from (m, >=2) sorted neighbour distances (Facco et al. 2017, eq. 5)."""
    if not 0.0 <= discard_fraction < 1.0:
        raise ZspaceError(f"TwoNN discard fraction {discard_fraction} must be in [0, 1)")
    r1, r2 = distances[:, 0], distances[:, 1]
    valid = r1 > 0
    mu = np.sort(r2[valid] / r1[valid])  # (m',) ascending
    count = len(mu)
    keep = int(count * (1.0 - discard_fraction))
    if keep < 2:
        raise ZspaceError(f"TwoNN needs at least 2 points with distinct neighbours, got {keep}")
    x = np.log(mu[:keep])
    y = -np.log(1.0 - np.arange(1, keep + 1) / count)  # empirical F(mu_(i)) = i / m
    denominator = float(x @ x)
    if denominator == 0.0:
        return float("inf")  # r2 == r1 everywhere: a lattice, no finite dimension
    return float(x @ y / denominator)  # least squares through the origin


def mle_at(distances: np.ndarray, k: int) -> float:
    """Levina-Bickel MLE with k neighbours, points combined by the mean inverse (MacKay-Ghahramani)."""
    if not 2 <= k <= distances.shape[1]:
        raise ZspaceError(f"MLE with k = {k} needs 2 <= k <= {distances.shape[1]} neighbour distances")
    near = distances[:, :k]  # (m, k)
    valid = near[:, 0] > 0
    if not valid.any():
        raise ZspaceError("MLE: every point has a duplicate neighbour (zero distance)")
    near = near[valid]
    logs = np.log(near[:, -1:] / near[:, :-1])  # (m, k-1): log(T_k / T_j)
    inverse = logs.sum(axis=1) / (k - 1)  # 1 / m_k(x)
    mean_inverse = float(inverse.mean())
    return float("inf") if mean_inverse == 0.0 else 1.0 / mean_inverse


def mle(distances: np.ndarray, k_range: tuple[int, int] = (10, 20)) -> float:
    """MLE averaged over k = k_range[0] ... k_range[1] inclusive (Levina & Bickel 2004, eq. 9)."""
    low, high = k_range
    if not 2 <= low <= high:
        raise ZspaceError(f"MLE k range {k_range} must satisfy 2 <= k1 <= k2")
    return float(np.mean([mle_at(distances, k) for k in range(low, high + 1)]))


def pca_dimensions(mean: np.ndarray, covariance: np.ndarray, fractions: tuple[float, ...] = (0.9, 0.95)
                   ) -> dict[str, int]:
    """``{"pca_90": k90, "pca_95": k95}``: fewest principal axes holding each fraction of the variance."""
    result = pca_from_covariance(mean, covariance)
    return {f"pca_{round(fraction * 100)}": result.components_for(fraction) for fraction in fractions}


def intrinsic_dimensions(distances: np.ndarray, mean: np.ndarray, covariance: np.ndarray,
                         discard_fraction: float = 0.1, k_range: tuple[int, int] = (10, 20)) -> dict[str, float]:
    """All estimates of one cloud: ``{"twonn", "mle", "pca_90", "pca_95"}``."""
    return {
        "twonn": twonn(distances, discard_fraction),
        "mle": mle(distances, k_range),
        **pca_dimensions(mean, covariance),
    }
