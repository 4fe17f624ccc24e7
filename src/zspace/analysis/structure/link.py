"""The link to generation (SPEC S15's second half): do sampled points decode badly *because* they lie in voids?

For each sampled z: its void score (:func:`zspace.analysis.structure.voids.void_scores`,
distance to the nearest data point over the data's typical neighbour distance)
and a quality score of the image it decodes to (a judge's realism score, or
the encode-decode cycle error: any per-sample number, higher or lower better).
:func:`link` gives Spearman's rank correlation (Spearman 1904) between the two
with its two-sided p-value from Student's t with n - 2 degrees of freedom,
t = rho sqrt((n - 2) / (1 - rho^2)), as ``scipy.stats.spearmanr`` does; plus
the share of points in voids (score > 1) and the median quality in and out of
voids. zspace.report.structure_figures draws it for one or several samplers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from zspace.errors import ZspaceError


@dataclass
class LinkResult:
    """Rank correlation of void scores with quality scores, and the quality in and out of voids."""

    rho: float  # Spearman rank correlation
    p_value: float  # two-sided
    count: int  # pairs used
    dropped: int  # pairs with NaN or inf left out
    void_share: float  # share of points with void score > threshold
    quality_in_voids: float  # median quality of points in voids (NaN if none)
    quality_outside: float  # median quality of the others (NaN if none)
    threshold: float = 1.0

    def to_dict(self) -> dict[str, float | int | None]:
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in asdict(self).items()}


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(rho, two-sided p) of Spearman's rank correlation; average ranks for ties; NaN for a constant input."""
    rank_x, rank_y = stats.rankdata(x), stats.rankdata(y)
    rank_x -= rank_x.mean()
    rank_y -= rank_y.mean()
    scale = np.sqrt((rank_x @ rank_x) * (rank_y @ rank_y))
    if scale == 0:
        return float("nan"), float("nan")
    rho = float(np.clip(rank_x @ rank_y / scale, -1.0, 1.0))
    freedom = len(x) - 2
    if abs(rho) == 1.0:
        return rho, 0.0
    t = rho * np.sqrt(freedom / ((1.0 - rho) * (1.0 + rho)))
    return rho, float(2.0 * stats.t.sf(abs(t), freedom))


def link(void_scores: np.ndarray, quality_scores: np.ndarray, threshold: float = 1.0) -> LinkResult:
    """Spearman correlation of per-sample void scores with per-sample quality scores (pairs with NaN dropped)."""
    voids = np.asarray(void_scores, dtype=np.float64).ravel()
    quality = np.asarray(quality_scores, dtype=np.float64).ravel()
    if voids.shape != quality.shape:
        raise ZspaceError(f"link needs one quality score per void score, got {voids.size} and {quality.size}")
    finite = np.isfinite(voids) & np.isfinite(quality)
    voids, quality = voids[finite], quality[finite]
    if len(voids) < 3:
        raise ZspaceError(f"link needs at least 3 finite (void, quality) pairs, got {len(voids)}")
    rho, p = spearman(voids, quality)
    inside = voids > threshold
    return LinkResult(
        rho=rho, p_value=p, count=int(len(voids)), dropped=int((~finite).sum()),
        void_share=float(inside.mean()),
        quality_in_voids=float(np.median(quality[inside])) if inside.any() else float("nan"),
        quality_outside=float(np.median(quality[~inside])) if (~inside).any() else float("nan"),
        threshold=threshold,
    )
