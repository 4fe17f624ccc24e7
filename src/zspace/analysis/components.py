"""Per-component distributions: histograms, centre, half-width and the "dominant" components (SPEC S7).

Definitions (documented in docs/analysis.md):

- centre: the component's mean over all N vectors (the seed's mu).
- half_width: the half width at half maximum (HWHM) of the component's
  distribution, read from a fine histogram (bins of std/5 over mean +- 6 std,
  smoothed with a [1, 2, 1] kernel) with linear interpolation at the two
  half-maximum crossings nearest the peak. For a Gaussian, HWHM = 1.1774 std.
  The seed's bins of 0.25 are kept for the plots; they are too coarse to
  measure the width of a component narrower than about one bin.
- dominant: a component far from the bulk of the others, judged with robust
  z-scores (median and MAD, so the outliers do not hide themselves):
    shifted  |mean_i - median(mean)| > t * 1.4826 * MAD(mean)
             and > ``min_shift`` * median(std)   (a floor, so that a shift of
             0.01 between otherwise identical components is not reported)
    wide     log(hw_i / median(hw)) > t * 1.4826 * MAD(log hw)
             and hw_i > ``min_ratio`` * median(hw)
  with t = ``threshold`` (default 5). Narrow components (the mirror test on
  the low side) are reported apart as "inactive" (a VAE's collapsed
  dimensions), not as dominant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ROBUST_SIGMA = 1.4826  # MAD -> standard deviation for a normal distribution
GAUSSIAN_HWHM = float(np.sqrt(2 * np.log(2)))  # 1.1774: HWHM / std of a Gaussian
FINE_BINS_PER_STD = 5
FINE_SPAN_STD = 6


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
        self.fine_width = np.where(std > 0, std / FINE_BINS_PER_STD, 1.0)
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


@dataclass
class ComponentStatistics:
    """Per-component results; arrays have one entry per component."""

    mean: np.ndarray
    std: np.ndarray
    half_width: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    histogram_edges: np.ndarray  # (bins + 1,) shared by every component, bin width 0.25 by default
    histograms: np.ndarray  # (d, bins) counts
    dominant: list[DominantComponent] = field(default_factory=list)
    inactive: list[int] = field(default_factory=list)


def robust_z(values: np.ndarray) -> tuple[np.ndarray, float]:
    """(values - median) / (1.4826 MAD), and that robust sigma; sigma 0 gives z = 0 (no spread to judge by)."""
    centre = float(np.median(values))
    sigma = ROBUST_SIGMA * float(np.median(np.abs(values - centre)))
    if sigma <= 0:
        return np.zeros_like(values), 0.0
    return (values - centre) / sigma, sigma


def find_dominant(mean: np.ndarray, std: np.ndarray, half_width: np.ndarray, threshold: float = 5.0,
                  min_shift: float = 0.5, min_ratio: float = 1.5) -> tuple[list[DominantComponent], list[int]]:
    """Dominant (shifted or wide) and inactive (narrow) components by the rule in the module docstring."""
    typical_std = float(np.median(std))
    typical_hw = float(np.median(half_width))
    shift = mean - np.median(mean)
    z_mean, _ = robust_z(mean)
    shifted = (np.abs(z_mean) > threshold) & (np.abs(shift) > min_shift * typical_std)
    widths = np.log(np.maximum(half_width, 1e-12))
    z_width, _ = robust_z(widths)
    wide = (z_width > threshold) & (half_width > min_ratio * typical_hw)
    narrow = (z_width < -threshold) & (half_width < typical_hw / min_ratio)
    dominant = []
    for i in np.flatnonzero(shifted | wide):
        reasons = []
        if shifted[i]:
            reasons.append(f"centre {mean[i]:+.3g} is {abs(z_mean[i]):.1f} robust sigmas from the median centre "
                           f"{np.median(mean):+.3g}")
        if wide[i]:
            reasons.append(f"half-width {half_width[i]:.3g} is {half_width[i] / typical_hw:.2g}x the median "
                           f"{typical_hw:.3g} ({z_width[i]:.1f} robust sigmas in log width)")
        dominant.append(DominantComponent(int(i), float(mean[i]), float(half_width[i]), "; ".join(reasons)))
    return dominant, [int(i) for i in np.flatnonzero(narrow)]
