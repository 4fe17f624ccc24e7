"""What the k nearest neighbours of a cloud's query points say: distances, local shape, intrinsic dimension.

One exact search per cloud (data or null draw) serves every neighbourhood
statistic of issue 12:

- nearest-neighbour distance distribution: its median (the cloud's "typical
  neighbour distance", also the void threshold) and its spread, the log ratio
  of the 90th to the 10th percentile (clumps and filaments widen it);
- local anisotropy: the eigenvalues lambda_1 >= lambda_2 >= ... of the
  covariance of each query point with its k neighbours; a filament is locally
  one-dimensional, so lambda_1 / lambda_2 is large there. The statistic is the
  median over query points of log(lambda_1 / lambda_2) (as in local PCA,
  e.g. Little, Maggioni & Rosasco 2017, "Multiscale geometric methods for data
  sets I"); the median share lambda_1 / sum(lambda) is kept as a detail;
- intrinsic dimension: TwoNN and MLE (:mod:`intrinsic_dimension`).

The eigenvalues come from :mod:`local_shape` (the Gram matrix or the
covariance of the centred neighbourhood, whichever is smaller). This is the
single-scale test; :mod:`scales` measures the same shape at many k, against the
local dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.analysis.structure.intrinsic_dimension import mle, twonn
from zspace.analysis.structure.local_shape import group_eigenvalues, log_ratio
from zspace.neighbours import NeighbourIndex


@dataclass
class Neighbourhoods:
    """Neighbourhood statistics of one cloud."""

    distances: np.ndarray  # (m, k) sorted distances of the query points to their neighbours
    nn_median: float  # median nearest-neighbour distance
    nn_spread: float  # log(q90 / q10) of the nearest-neighbour distance
    anisotropy: float  # median over points of log(lambda_1 / lambda_2) in k-neighbourhoods
    top_share: float  # median over points of lambda_1 / sum(lambda)
    twonn: float
    mle: float
    duplicates: int  # query points with a neighbour at distance 0


def local_eigenvalues(index: NeighbourIndex, points: np.ndarray, neighbours: np.ndarray,
                      chunk: int = 256) -> np.ndarray:
    """Eigenvalues (m, min(k+1, d)), descending, of the covariance of each point with its neighbours (m, k) rows."""
    values = []
    for start in range(0, len(points), chunk):
        rows = neighbours[start:start + chunk]  # (c, k)
        own = np.asarray(points[start:start + chunk], dtype=np.float64)  # (c, d)
        values.append(group_eigenvalues(np.concatenate([own[:, None, :], index.references[rows]], axis=1)))
    width = min(neighbours.shape[1] + 1, index.references.shape[1])
    return np.concatenate(values) if values else np.zeros((0, width))


def neighbourhoods(index: NeighbourIndex, query_rows: np.ndarray, k: int, anisotropy_k: int,
                   discard_fraction: float = 0.1, mle_k: tuple[int, int] = (10, 20),
                   advance=None) -> Neighbourhoods:
    """Search the k nearest neighbours of the cloud's rows ``query_rows`` (themselves left out) and summarise.

    ``k`` must be at least ``max(2, anisotropy_k, mle_k[1])``.
    """
    points = index.references[query_rows]  # (m, d)
    distances, indices = index.query_in_chunks(points, k, self_rows=query_rows, advance=advance)
    nearest = distances[:, 0]
    positive = nearest[nearest > 0]
    q10, q90 = np.quantile(positive, [0.1, 0.9]) if len(positive) else (np.nan, np.nan)
    eigen = local_eigenvalues(index, points, indices[:, :anisotropy_k])  # (m, anisotropy_k + 1)
    first = eigen[:, 0]
    ratios = log_ratio(first, eigen[:, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = first / eigen.sum(axis=1)
    live = first > 0  # a neighbourhood of identical points has no shape
    return Neighbourhoods(
        distances=distances,
        nn_median=float(np.median(nearest)),
        nn_spread=float(np.log(q90 / q10)) if q10 > 0 else float("nan"),
        anisotropy=float(np.median(ratios[live])) if live.any() else float("nan"),
        top_share=float(np.median(share[live])) if live.any() else float("nan"),
        twonn=twonn(distances, discard_fraction),
        mle=mle(distances, mle_k),
        duplicates=int(np.sum(nearest == 0)),
    )
