"""Per-component distributions: histograms, centre and half-width (SPEC S7).

Definitions (documented in docs/analysis.md):

- centre: the component's mean over all N vectors (the seed's mu).
- half_width: the half width at half maximum (HWHM) of the component's
  distribution, read from a fine histogram (bins of std/5 over mean +- 6 std,
  smoothed with a [1, 2, 1] kernel) with linear interpolation at the two
  half-maximum crossings nearest the peak. For a Gaussian, HWHM = 1.1774 std.
  The seed's bins of 0.25 are kept for the plots; they are too coarse to
  measure the width of a component narrower than about one bin.
- a constant component has half-width 0.
- dominant / inactive: see :mod:`zspace.analysis.dominant`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.results import array_field

GAUSSIAN_HWHM = float(np.sqrt(2 * np.log(2)))  # 1.1774: HWHM / std of a Gaussian
FINE_BINS_PER_STD = 5
FINE_SPAN_STD = 6
RANKED_ROWS = 30  # rows of each ranked table written for readers (all d are in the fields)


class ComponentHistogramAccumulator:
    """Per-component histograms over all rows: coarse (seed bins, for plots) and fine (for the half-width)."""

    def __init__(self, minimum: np.ndarray, maximum: np.ndarray, mean: np.ndarray, std: np.ndarray,
                 bin_width: float = 0.25) -> None:
        self.dim = len(mean)
        self.bin_width = bin_width
        low = np.floor(float(np.min(minimum)) / bin_width) * bin_width
        high = np.ceil(float(np.max(maximum)) / bin_width) * bin_width
        self.bins = max(1, int(round((high - low) / bin_width)) + 1)
        self.edges = low + bin_width * np.arange(self.bins + 1)
        self.coarse = np.zeros((self.dim, self.bins), dtype=np.int64)
        # Fine grid per component: mean +- 6 std in bins of std/5 (a constant component gets a dummy grid).
        self.constant = np.asarray(std) <= 0
        self.fine_width = np.where(self.constant, 1.0, std / FINE_BINS_PER_STD)
        self.fine_low = mean - FINE_SPAN_STD * FINE_BINS_PER_STD * self.fine_width
        self.fine_bins = 2 * FINE_SPAN_STD * FINE_BINS_PER_STD
        self.fine = np.zeros((self.dim, self.fine_bins), dtype=np.int64)
        self._offsets = np.arange(self.dim)[None, :]

    def update(self, chunk: np.ndarray) -> None:
        """Count the values of a float64 chunk (c, d) into both grids."""
        if len(chunk) == 0:
            return
        coarse = np.clip(((chunk - self.edges[0]) / self.bin_width).astype(np.int64), 0, self.bins - 1)
        self.coarse += np.bincount((self._offsets * self.bins + coarse).ravel(),
                                   minlength=self.dim * self.bins).reshape(self.dim, self.bins)
        fine = np.floor((chunk - self.fine_low) / self.fine_width)
        inside = (fine >= 0) & (fine < self.fine_bins)  # tails beyond 6 std do not move the HWHM
        flat = (self._offsets * self.fine_bins + fine.astype(np.int64))[inside]
        self.fine += np.bincount(flat, minlength=self.dim * self.fine_bins).reshape(self.dim, self.fine_bins)

    def half_widths(self) -> np.ndarray:
        """HWHM of every component from the fine histograms (0 for a constant component)."""
        result = np.zeros(self.dim)
        for i in range(self.dim):
            if self.constant[i]:
                continue  # one value: no width (the dummy grid would give half a bin)
            result[i] = half_width_at_half_maximum(self.fine[i]) * self.fine_width[i]
        return result


def half_width_at_half_maximum(counts: np.ndarray) -> float:
    """HWHM of a histogram in units of its bin width: smoothed, crossings interpolated linearly."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() == 0:
        return 0.0
    smooth = np.convolve(np.pad(counts, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    peak = int(np.argmax(smooth))
    half = smooth[peak] / 2

    def crossing(direction: int) -> float:
        i = peak
        while 0 <= i + direction < len(smooth) and smooth[i + direction] >= half:
            i += direction
        j = i + direction
        if not 0 <= j < len(smooth):
            return float(i)  # the distribution runs off the grid; the edge bounds the width
        # linear interpolation between bin i (>= half) and bin j (< half)
        return i + direction * (smooth[i] - half) / (smooth[i] - smooth[j])

    return (crossing(1) - crossing(-1)) / 2


@dataclass
class DominantComponent:
    index: int
    mean: float
    half_width: float
    why: str
    criteria: list[str] = field(default_factory=list)  # what makes it dominant: "width" (wide), "centre" (shifted)


@dataclass
class ComponentStatistics:
    """Per-component results; arrays have one entry per component. The classes (dominant, inactive, labels,
    groups, active units) come from :func:`zspace.analysis.dominant.classify_components`."""

    mean: np.ndarray
    std: np.ndarray
    half_width: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    histogram_edges: np.ndarray = array_field("(bins + 1,) bin edges of the component histograms")
    histograms: np.ndarray = array_field("(d, bins) counts per component on the shared bins")
    dominant: list[DominantComponent] = field(default_factory=list)
    inactive: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # per component: "dominant", "typical" or "inactive"
    active_units: list[int] = field(default_factory=list)  # Burda et al. 2016: variance above the threshold
    active_threshold: float = 0.01
    width_groups: list[dict] = field(default_factory=list)  # the groups of log half-width, ascending
    centre_groups: list[dict] = field(default_factory=list)  # the groups of |centre| / live std, ascending
    inactive_ratio: float = 0.3  # the rule's setting: a width group below this fraction of the widest is inactive

    def described(self) -> dict:
        """Definitions and the seed's ranked tables, for a reader of the saved JSON."""
        def ranked(order: list[int]) -> list[dict]:
            return [{"index": i, "mean": float(self.mean[i]), "half_width": float(self.half_width[i]),
                     "std": float(self.std[i]), "label": self.labels[i] if self.labels else ""}
                    for i in order[:RANKED_ROWS]]

        return {
            "half_width_definition": "half width at half maximum of a fine histogram (Gaussian: 1.1774 std); "
                                     "0 for a constant component",
            "dominant_rule": "groups of log half-width and of |centre| (1-D Gaussian mixture, BIC, Ashman's D >= 2); "
                             "see docs/analysis.md",
            "active_unit_count": len(self.active_units),
            "active_unit_definition": "variance over the data above the threshold (Burda et al. 2016)",
            "ranked_by_half_width": ranked(self.by_half_width),
            "ranked_by_abs_centre": ranked(self.by_abs_centre),
        }

    @property
    def by_half_width(self) -> list[int]:
        """Component indices, widest first (the seed's ranked table)."""
        return [int(i) for i in np.argsort(-self.half_width, kind="stable")]

    @property
    def by_abs_centre(self) -> list[int]:
        """Component indices, largest |centre| first."""
        return [int(i) for i in np.argsort(-np.abs(self.mean), kind="stable")]

    def dominant_by(self, criterion: str) -> list[int]:
        """Indices of the components dominant by ``criterion``: "width" (in the widest of several width groups) or
        "centre" (in the group of largest |centre|). An analysis saved before ``criteria``: read from ``why``."""
        def criteria(component: DominantComponent) -> list[str]:
            return component.criteria or [name for name, found in (("width", "half-width " in component.why),
                                                                   ("centre", component.why.startswith("centre ")))
                                          if found]

        return [d.index for d in self.dominant if criterion in criteria(d)]

    @property
    def live_first(self) -> list[int]:
        """Dominant, then typical, then inactive components; widest first within each class."""
        rank = {"dominant": 0, "typical": 1, "inactive": 2}
        return sorted(self.by_half_width, key=lambda i: rank.get(self.labels[i] if self.labels else "", 1))
