"""Summaries of the Pearson correlation matrix (SPEC S9): counts above thresholds and the strong pairs.

The matrix itself comes from :func:`zspace.analysis.moments.streaming_moments`
(exact, all N vectors); here only the upper triangle (i < j) is counted, so
each pair is counted once and the diagonal never.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


@dataclass
class CorrelatedPair:
    i: int
    j: int
    r: float


@dataclass
class CorrelationSummary:
    n_used: int
    counts_above: dict[str, int]  # "0.1" -> number of pairs i < j with |r| > 0.1
    top_pairs: list[CorrelatedPair]  # every pair with |r| > min_abs, by |r| descending
    min_abs_r: float = 0.3  # the |r| above which pairs are listed


def correlation_summary(correlation: np.ndarray, n_used: int, thresholds: tuple[float, ...] = THRESHOLDS,
                        min_abs: float = 0.3) -> CorrelationSummary:
    """Count pairs with |r| above each threshold and list the pairs with |r| > ``min_abs``."""
    upper_i, upper_j = np.triu_indices(correlation.shape[0], k=1)
    values = correlation[upper_i, upper_j]  # (d(d-1)/2,)
    magnitude = np.abs(values)
    counts = {f"{t:g}": int(np.count_nonzero(magnitude > t)) for t in thresholds}
    strong = np.flatnonzero(magnitude > min_abs)
    strong = strong[np.argsort(-magnitude[strong], kind="stable")]
    pairs = [CorrelatedPair(int(upper_i[k]), int(upper_j[k]), float(values[k])) for k in strong]
    return CorrelationSummary(n_used, counts, pairs, min_abs)
