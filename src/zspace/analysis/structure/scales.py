"""Structure as a function of scale (issue 21): local shape, local dimension and voids at k = 8 ... 512 neighbours.

One neighbourhood size cannot see every structure: a thick tube (a long axis,
a wide cross-section) is round in its 20 nearest neighbours and a tube in its
400 nearest. For each scale k of a doubling grid (GRIDE's scheme, Denti et al.
2022, "The generalized ratios intrinsic dimension estimator", Sci. Rep. 12:20005),
capped at N / 8 so a neighbourhood stays a small part of the cloud, one exact
search of the k_max nearest neighbours of ``queries`` points of a cloud gives:

- ``dimension``: the Levina-Bickel MLE with k neighbours (points combined by
  the mean inverse, :func:`intrinsic_dimension.mle_at`): the dimension of the
  cloud inside the ball of radius T_k (Levina & Bickel 2004, their Fig. 1 plots
  it against k);
- ``anisotropy``: the median log(lambda_1 / lambda_2) of the covariance of a
  point with its k neighbours (:mod:`local_shape`);
- ``excess_anisotropy``: ``anisotropy`` minus that of an isotropic cloud of the
  dimension just measured (:mod:`isotropic_reference`): positive only where the
  neighbourhoods are more elongated than their own dimension explains, which
  is what filaments predict and a curved sheet of a few dimensions does not;
- ``radius``: the median distance to the k-th neighbour (the scale in the
  data's units), and ``void_fraction``: the share of the probes (the fitted-
  Gaussian ones) whose nearest point is farther than ``radius``.

Scale k is measured on the first min(queries, queries * FULL_QUERY_SCALE / k)
query points (all of them up to k = 32, then half as many per doubling), so
each row is searched, exactly, only as far as the largest k it serves: every
scale costs about what k = 32 costs, and each statistic still sums about the
same number of neighbour terms (a median of log lambda1/lambda2 over fewer
points, each from more neighbours, is as precise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zspace.analysis.structure.intrinsic_dimension import mle_at
from zspace.analysis.structure.isotropic_reference import isotropic_anisotropy
from zspace.analysis.structure.local_shape import log_eigenvalue_ratio
from zspace.neighbours import NeighbourIndex

DEFAULT_SCALES = (8, 16, 32, 64, 128, 256, 512)
LARGEST_SHARE = 8  # a scale k is kept while k <= (N - 1) / LARGEST_SHARE
FULL_QUERY_SCALE = 32  # every query point is used up to this k; beyond it, queries * 32 / k
BLOCK_BYTES = 2**25  # about 32 MB of float64 per block of gathered neighbourhoods


def usable_scales(scales: tuple[int, ...], count: int) -> list[int]:
    """The scales (sorted, unique) a cloud of ``count`` points can show: 2 <= k <= (count - 1) / LARGEST_SHARE."""
    return sorted({int(k) for k in scales if 2 <= k <= (count - 1) // LARGEST_SHARE})


def queries_at(k: int, queries: int) -> int:
    """Query points measured at scale k."""
    return max(1, min(queries, math.ceil(queries * FULL_QUERY_SCALE / k)))


@dataclass
class ScaleMeasures:
    """One cloud's statistics at each scale (arrays of length len(scales))."""

    dimension: np.ndarray
    anisotropy: np.ndarray
    excess_anisotropy: np.ndarray
    radius: np.ndarray
    void_fraction: np.ndarray

    def statistic(self, name: str) -> np.ndarray:
        return getattr(self, name)


def _anisotropy(index: NeighbourIndex, points: np.ndarray, neighbours: np.ndarray) -> float:
    """Median log(lambda_1 / lambda_2) of each point with its neighbours (m, k), in blocks of bounded memory."""
    k, dim = neighbours.shape[1], index.references.shape[1]
    block = max(1, BLOCK_BYTES // (8 * (k + 1) * dim))
    ratios = []
    for start in range(0, len(points), block):
        own = points[start:start + block, None, :]  # (c, 1, d)
        ratios.append(log_eigenvalue_ratio(np.concatenate([own, index.references[neighbours[start:start + block]]],
                                                          axis=1)))
    ratios = np.concatenate(ratios)
    live = np.isfinite(ratios)
    return float(np.median(ratios[live])) if live.any() else float("nan")


def nested_search(index: NeighbourIndex, rows: np.ndarray, scales: list[int],
                   advance=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per scale k (ascending): distances and neighbours (m_k, k) of the first m_k = queries_at(k) ``rows``,
    each row searched once, to the largest k it serves."""
    dim = index.references.shape[1]
    counts = [queries_at(k, len(rows)) for k in scales]  # non-increasing
    pieces = []  # (first row, distances, neighbours): rows [counts[j + 1], counts[j]) searched to scales[j]
    for j, k in enumerate(scales):
        start, stop = (counts[j + 1] if j + 1 < len(scales) else 0), counts[j]
        if start < stop:
            chunk = max(1, BLOCK_BYTES // (8 * k * dim))  # bounds the exact float64 refinement of the search
            pieces.append((start, *index.query_in_chunks(index.references[rows[start:stop]], k,
                                                         self_rows=rows[start:stop], advance=advance, chunk=chunk)))
    pieces.sort(key=lambda piece: piece[0])
    out = []
    for j, k in enumerate(scales):
        used = [piece for piece in pieces if piece[0] < counts[j]]  # searched to scales[j] or farther
        out.append((np.concatenate([d[:, :k] for _, d, _ in used]), np.concatenate([n[:, :k] for _, _, n in used])))
    return out


def measure_scales(index: NeighbourIndex, rows: np.ndarray, scales: list[int], probe_nearest: np.ndarray,
                   advance=None) -> ScaleMeasures:
    """Every statistic at every scale for the cloud of ``index``, from its rows ``rows`` in order (left out of
    their own neighbours); ``probe_nearest``: each probe's distance to its nearest point of this cloud."""
    points = index.references[rows]  # (m, d)
    dimension, anisotropy, radius, voids, excess = [], [], [], [], []
    for k, (distances, neighbours) in zip(scales, nested_search(index, rows, scales, advance), strict=True):
        d_k = mle_at(distances, k)
        a_k = _anisotropy(index, points[:len(neighbours)], neighbours)
        r_k = float(np.median(distances[:, k - 1]))
        dimension.append(d_k)
        anisotropy.append(a_k)
        excess.append(a_k - isotropic_anisotropy(d_k, k))
        radius.append(r_k)
        voids.append(float(np.mean(probe_nearest > r_k)))
    return ScaleMeasures(np.array(dimension), np.array(anisotropy), np.array(excess), np.array(radius),
                         np.array(voids))
