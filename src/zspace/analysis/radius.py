"""Radius (L2 norm) of the latent vectors and the chi distribution it is compared with (SPEC S8).

If the d components were independent standard normals, ||z|| would follow the
chi distribution with d degrees of freedom: mode sqrt(d - 1), mean close to
sqrt(d - 1/2), std close to 1/sqrt(2). The seed's peak near sqrt(z_dim) = 16 is
this effect; the overlay shows how far the encoded data is from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zspace.results import array_field


class RadiusHistogramAccumulator:
    """Histograms of ||z|| on fixed grids starting at 0, one per bin width (seed: 0.5 and 0.05)."""

    def __init__(self, radius_max: float, bin_widths: tuple[float, ...] = (0.5, 0.05)) -> None:
        self.bin_widths = tuple(bin_widths)
        self.counts = [np.zeros(int(np.floor(radius_max / w)) + 1, dtype=np.int64) for w in self.bin_widths]

    def update(self, chunk: np.ndarray) -> None:
        radii = np.sqrt(np.einsum("ij,ij->i", chunk, chunk))  # (c,)
        for width, counts in zip(self.bin_widths, self.counts, strict=True):
            index = np.minimum((radii / width).astype(np.int64), len(counts) - 1)
            counts += np.bincount(index, minlength=len(counts))


@dataclass
class RadiusHistogram:
    bin_width: float
    edges: np.ndarray = array_field("(bins + 1,) radius bin edges")
    counts: np.ndarray = array_field("(bins,) radius counts")


@dataclass
class RadiusStatistics:
    """Radius summary over all N vectors; ``mode`` is the centre of the fullest bin of the finest histogram."""

    mean: float
    std: float
    mode: float
    sqrt_dim: float
    dim: int
    count: int
    histograms: list[RadiusHistogram]

    @property
    def chi_mean(self) -> float:
        """The mean radius of N(0, I_d) (:func:`chi_mean`), the radius to compare ``mean`` with."""
        return chi_mean(self.dim)


def chi_mean(dim: int) -> float:
    """Mean of the chi distribution with ``dim`` degrees of freedom, E||z|| for z ~ N(0, I_d):
    sqrt(2) Gamma((d + 1) / 2) / Gamma(d / 2) (as scipy.stats.chi.mean; 1.25 for d = 2, against sqrt(2) = 1.41),
    in log-gamma so it holds for any d."""
    return math.sqrt(2) * math.exp(math.lgamma((dim + 1) / 2) - math.lgamma(dim / 2))


def radius_statistics(accumulator: RadiusHistogramAccumulator, count: int, dim: int, radius_sum: float,
                      radius_square_sum: float) -> RadiusStatistics:
    """Summarise the radius histograms and sums gathered in the streaming passes."""
    histograms = [RadiusHistogram(w, w * np.arange(len(c) + 1), c)
                  for w, c in zip(accumulator.bin_widths, accumulator.counts, strict=True)]
    mean = radius_sum / count
    variance = max(radius_square_sum / count - mean**2, 0.0) * count / max(count - 1, 1)
    # The mode from the finest grid, smoothed over 5 bins so one noisy bin does not decide it.
    finest = min(histograms, key=lambda h: h.bin_width)
    smooth = np.convolve(finest.counts, np.ones(5) / 5, mode="same")
    peak = int(np.argmax(smooth))
    mode = float((finest.edges[peak] + finest.edges[peak + 1]) / 2)
    return RadiusStatistics(float(mean), float(np.sqrt(variance)), mode, float(np.sqrt(dim)), dim, count, histograms)


def chi_pdf(radius: np.ndarray, dim: int) -> np.ndarray:
    """Density of ||z|| for z ~ N(0, I_d): the chi distribution with ``dim`` degrees of freedom."""
    from scipy import stats  # imported when used: scipy.stats costs ~1 s to import

    return stats.chi.pdf(radius, df=dim)


def chi_quantile(probability: float, dim: int) -> float:
    """Radius below which a fraction ``probability`` of N(0, I_d) vectors lie."""
    from scipy import stats  # imported when used: scipy.stats costs ~1 s to import

    return float(stats.chi.ppf(probability, df=dim))


def chi_counts(edges: np.ndarray, dim: int, count: int) -> np.ndarray:
    """Expected counts per bin for ``count`` standard-normal vectors (exact bin probabilities, not pdf * width)."""
    from scipy import stats  # imported when used: scipy.stats costs ~1 s to import

    return count * np.diff(stats.chi.cdf(edges, df=dim))
