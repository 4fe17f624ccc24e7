"""Samplers compared at matched void depth (issue 21): "sampler A decodes worse" beyond "A's points lie deeper".

A pooled rank correlation mixes two things: samplers whose points lie deeper in
voids, and worse images at a given depth. Here the void scores of every
sampler's points are pooled and cut into ``bins`` quantile bins (equal counts
pooled); within each bin, each sampler with at least ``min_count`` points gets
its median quality, and the samplers are compared by the Kruskal-Wallis H test
(Kruskal & Wallis 1952, ``scipy.stats.kruskal``: do the groups' ranks differ?).
A bin is *comparable* when two or more samplers have enough points in it; a
difference is called at ``alpha`` divided by the number of comparable bins
(Bonferroni). Where the samplers' depths barely overlap, no bin is comparable
and the comparison is inconclusive.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import stats

BINS = 4
MIN_COUNT = 10


def _finite(void: np.ndarray, quality: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    void = np.asarray(void, dtype=np.float64).ravel()
    quality = np.asarray(quality, dtype=np.float64).ravel()
    keep = np.isfinite(void) & np.isfinite(quality)
    return void[keep], quality[keep]


def kruskal_p(groups: list[np.ndarray]) -> float | None:
    """Two-sided p of the Kruskal-Wallis H test (scipy's, ties corrected); None when every value is equal."""
    if len(groups) < 2 or np.ptp(np.concatenate(groups)) == 0:
        return None
    return float(stats.kruskal(*groups).pvalue)


def depth_bins(samples: Mapping[str, tuple[np.ndarray, np.ndarray]], bins: int = BINS,
               min_count: int = MIN_COUNT) -> list[dict[str, object]]:
    """One row per quantile bin of the pooled void scores: its range, each sampler's count and median quality
    (None below ``min_count`` points), the Kruskal-Wallis p across those samplers, the worst and best of them.

    ``samples``: sampler name -> (void scores, quality scores, higher worse); pairs with NaN or inf are left out.
    """
    cleaned = {name: _finite(*pair) for name, pair in samples.items()}
    pooled = np.concatenate([void for void, _ in cleaned.values()]) if cleaned else np.zeros(0)
    if len(pooled) == 0:
        return []
    edges = np.unique(np.quantile(pooled, np.linspace(0.0, 1.0, bins + 1)))
    rows = []
    for k in range(max(len(edges) - 1, 1)):
        low, high = (edges[k], edges[k + 1]) if len(edges) > 1 else (edges[0], edges[0])
        medians, counts, groups = {}, {}, {}
        for name, (void, quality) in cleaned.items():
            inside = (void >= low) & ((void < high) if k < len(edges) - 2 else (void <= high))
            counts[name] = int(inside.sum())
            medians[name] = float(np.median(quality[inside])) if counts[name] >= min_count else None
            if counts[name] >= min_count:
                groups[name] = quality[inside]
        ranked = sorted(groups, key=lambda name: medians[name])
        rows.append({"void_low": float(low), "void_high": float(high), "counts": counts, "median_quality": medians,
                     "p_value": kruskal_p(list(groups.values())), "compared": len(groups),
                     "worst": ranked[-1] if len(ranked) > 1 else None, "best": ranked[0] if len(ranked) > 1 else None})
    return rows


def depth_summary(rows: list[dict], alpha: float = 0.01) -> dict[str, object]:
    """How many bins are comparable, in how many the samplers differ (Bonferroni over comparable bins), and the
    worst sampler of each such bin."""
    comparable = [r for r in rows if r["compared"] >= 2 and r["p_value"] is not None]
    level = alpha / len(comparable) if comparable else alpha
    differing = [r for r in comparable if r["p_value"] < level]
    return {"bin_count": len(rows), "comparable": len(comparable), "differing": len(differing), "level": level,
            "worst": [r["worst"] for r in differing]}


def depth_sentence(summary: dict, words: str, min_count: int = MIN_COUNT) -> str:
    """The matched-depth comparison in plain words."""
    head = (f"At matched void depth ({summary['bin_count']} quantile bins of the pooled void score, samplers with at "
            f"least {min_count} points in a bin)")
    if summary["comparable"] == 0:
        return (f"{head}, no bin holds two samplers with varying {words}, so the samplers cannot be compared at "
                "equal depth: inconclusive.")
    if summary["differing"] == 0:
        return (f"{head}, the samplers' {words} does not differ in any of {summary['comparable']} comparable bins "
                f"(Kruskal-Wallis, p < {summary['level']:.2g} each): differences between samplers are explained "
                "by where their points lie, or too small to see.")
    worst = sorted(set(summary["worst"]), key=summary["worst"].index)
    return (f"{head}, the samplers' {words} differs in {summary['differing']} of {summary['comparable']} "
            f"comparable bins (Kruskal-Wallis, p < {summary['level']:.2g} each), worst there: {', '.join(worst)}: "
            "at equal depth, some samplers decode worse.")
