"""Data for the plane views of the latent cloud (SPEC S10, S11, S12, S14).

- component planes: the vectors projected on two original components, chosen
  as the most correlated pairs (S10) and the most elongated pairs (S14), with
  the origin, "statistical" vectors drawn uniformly from [-b, b]^d (b = 4, 1.5)
  and one chosen data point;
- the slice (S11): the vectors whose components other than the two of the
  plane are all small: within ``threshold`` stds of their centre (default), or
  |z_k| < threshold in raw values as the seed did;
- PCA planes (S12): the centred cloud on two principal axes, all N vectors,
  with a Gaussian null of the same covariance and N on the same axes (X3):
  on principal axes such a Gaussian has independent coordinates of variance
  lambda_k, so the null is drawn directly in the plane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.analysis.correlation import CorrelationSummary
from zspace.results import array_field


@dataclass
class PlanePair:
    i: int
    j: int
    reason: str  # "correlated r=+0.62" or "elongated 3.1:1"


def choose_pairs(summary: CorrelationSummary, covariance: np.ndarray, count: int = 3) -> list[PlanePair]:
    """The ``count`` most correlated pairs (|r| > the summary's floor) and the ``count`` most elongated others.

    Elongation of a plane = sqrt(largest / smallest eigenvalue) of the pair's 2 x 2 covariance. Only "live"
    components take part, with a std of at least half the 90th percentile of all stds: a plane of one live
    and one collapsed component (most of a VAE's components may be collapsed, so the median will not do) is
    trivially "elongated" and says nothing.
    """
    pairs = [PlanePair(p.i, p.j, f"correlated r={p.r:+.2f}") for p in summary.top_pairs[:count]]
    taken = {(p.i, p.j) for p in pairs}
    variance = np.diag(covariance)
    live = np.flatnonzero(np.sqrt(variance) >= 0.5 * np.quantile(np.sqrt(variance), 0.9))
    if len(live) >= 2:
        a, b = np.triu_indices(len(live), k=1)
        i, j = live[a], live[b]
        vi, vj, cij = variance[i], variance[j], covariance[i, j]
        # closed-form eigenvalues of [[vi, cij], [cij, vj]]
        half_trace, root = (vi + vj) / 2, np.sqrt(((vi - vj) / 2) ** 2 + cij**2)
        ratio = np.sqrt((half_trace + root) / np.maximum(half_trace - root, 1e-300))
        added = 0
        for k in np.argsort(-ratio, kind="stable"):
            if added == count:
                break
            if (int(i[k]), int(j[k])) not in taken:
                pairs.append(PlanePair(int(i[k]), int(j[k]), f"elongated {ratio[k]:.2g}:1"))
                added += 1
    return pairs


def statistical_vectors(dim: int, bounds: tuple[float, ...] = (4.0, 1.5), count: int = 200,
                        rng: np.random.Generator | None = None) -> dict[float, np.ndarray]:
    """``count`` vectors uniform in [-b, b]^dim for each bound b (the seed's "statistical" vectors)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    return {float(b): rng.uniform(-b, b, size=(count, dim)) for b in bounds}


class SliceAccumulator:
    """Rows whose components other than (i, j) are all small, for several planes at once (S11).

    units "spread": |z_k - mean_k| < threshold * std_k (centred, in each component's own spread; the default);
    units "absolute": |z_k| < threshold (the seed's raw rule). A constant component is always "small".
    """

    def __init__(self, pairs: list[PlanePair], threshold: float = 2.0, units: str = "spread",
                 mean: np.ndarray | None = None, std: np.ndarray | None = None, max_points: int = 50_000) -> None:
        self.pairs = pairs
        self.threshold = threshold
        self.units = units
        spread = units == "spread" and mean is not None and std is not None
        self.centre = np.asarray(mean, dtype=np.float64) if spread else 0.0
        self.limit = threshold * np.asarray(std, dtype=np.float64) if spread else threshold
        self.max_points = max_points
        self.counts = [0] * len(pairs)
        self.points: list[list[np.ndarray]] = [[] for _ in pairs]
        self.rows: list[list[np.ndarray]] = [[] for _ in pairs]

    def update(self, chunk: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Count a float64 chunk (c, d); ``rows`` are its row numbers (default 0..c-1)."""
        rows = np.arange(len(chunk)) if rows is None else rows
        offset = np.abs(chunk - self.centre)
        large = (offset >= self.limit) & (offset > 0)  # (c, d)
        large_count = large.sum(axis=1)
        for k, pair in enumerate(self.pairs):
            inside = (large_count - large[:, pair.i] - large[:, pair.j]) == 0
            self.counts[k] += int(inside.sum())
            room = self.max_points - sum(len(p) for p in self.points[k])
            if room > 0:
                self.points[k].append(chunk[inside][:room][:, [pair.i, pair.j]])
                self.rows[k].append(rows[inside][:room])

    def result(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(count, points (m, 2), rows (m,)) per pair; m is at most ``max_points``."""
        return [(count, np.concatenate(points) if points else np.zeros((0, 2)),
                 np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64))
                for count, points, rows in zip(self.counts, self.points, self.rows, strict=True)]


@dataclass
class ComponentPlane:
    """One plane of two original components, with everything the seed drew on it."""

    pair: PlanePair
    points: np.ndarray = array_field("(m, 2) a uniform subsample of the vectors on components (i, j)")
    rows: np.ndarray = array_field("(m,) rows of the subsample")
    chosen_point: np.ndarray  # (2,)
    chosen_row: int
    statistical: dict[float, np.ndarray] = array_field("(k, 2) uniform vectors in [-b, b]^d on (i, j), per bound b")
    slice_points: np.ndarray = array_field("(s, 2) the slice on components (i, j)")
    slice_rows: np.ndarray = array_field("(s,) rows of the slice")
    slice_count: int  # all rows in the slice (slice_points may be capped)
    slice_threshold: float
    slice_units: str = "spread"
    slice_note: str = ""  # why the slice is empty and what to change; "" when it holds vectors


def sample_rows(total: int, size: int, keep: np.ndarray | None = None,
                rng: np.random.Generator | None = None) -> np.ndarray:
    """Sorted row numbers of a uniform subsample without replacement (all kept rows when size >= their count)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    rows = np.arange(total) if keep is None else np.flatnonzero(keep)
    if size >= len(rows):
        return rows
    return np.sort(rng.choice(rows, size=size, replace=False))


def gather_rows(vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """float64 copy of ``vectors[rows]`` (sorted rows read efficiently from a memmap)."""
    return np.asarray(vectors[np.asarray(rows)], dtype=np.float64)


@dataclass
class PCAPlane:
    """All N centred vectors on PCA axes (a, b) (1-based, as the seed numbers them) and a Gaussian null."""

    axis_a: int
    axis_b: int
    points: np.ndarray = array_field("(N, 2) float32 centred vectors on PCA axes (a, b)")
    null_points: np.ndarray = array_field("(N, 2) float32 Gaussian null N(0, diag(lambda_a, lambda_b))")
    windows: list[dict] = field(default_factory=list)  # zoom windows, see zspace.analysis.zooms
