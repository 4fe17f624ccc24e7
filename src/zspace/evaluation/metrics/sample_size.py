"""FD's sample-size bias, shown: FD at several n and its extrapolation to n = ∞.

FD estimated from n samples is biased upwards, and the bias depends on the
generator, so FDs measured at different n cannot be compared (Chong & Forsyth
2020, "Effectively unbiased FID and Inception Score and where to find them",
sec. 3). They show FD is very nearly linear in 1/n, fit a line to FD at 15
values of n evenly spaced between n/10 and n (their defaults: 5,000 ... 50,000
generated images against the full real statistics) and report the intercept at
1/n = 0 as FD∞. We do the same: the fake set is subsampled without replacement,
the real Gaussian stays fitted to every real row.

The intercept of a straight line can fall below 0 where FD is near 0 (two sets
of one distribution: FD at every n is noise plus a bias ∝ 1/n, and a line through
noisy points may cross the axis below 0). FD cannot be negative, so ``infinity``
is the intercept clipped at 0; ``intercept`` keeps the line's own value, and a
negative one says "FD∞ indistinguishable from 0 at these n", nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.evaluation.metrics.fd import GaussianFit, fd_from_fits, fit_gaussian, sqrt_covariance


@dataclass(frozen=True)
class SampleSizeBias:
    sizes: list[int]  # numbers of fake rows, increasing
    values: list[float]  # FD at each size
    infinity: float | None  # the intercept clipped at 0 (FD∞); None with fewer than 2 sizes
    slope: float | None
    intercept: float | None = None  # of the line FD = intercept + slope / n, as fitted (may be < 0)


def fd_sizes(count: int, dim: int, points: int = 15) -> list[int]:
    """``points`` sizes evenly spaced from max(count/10, d + 1) to ``count`` (Chong & Forsyth's range)."""
    smallest = min(count, max(count // 10, dim + 1))
    return sorted({int(round(n)) for n in np.linspace(smallest, count, max(points, 1))})


def fd_sample_size_bias(
    real: np.ndarray | GaussianFit, fake: np.ndarray, points: int = 15, rng: np.random.Generator | None = None,
) -> SampleSizeBias:
    """FD at ``points`` subsample sizes of ``fake`` and the linear fit of FD against 1/n (FD∞)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    real_fit = real if isinstance(real, GaussianFit) else fit_gaussian(real)
    real_root = sqrt_covariance(real_fit.covariance)
    sizes = fd_sizes(len(fake), fake.shape[1], points)
    values = []
    for size in sizes:
        # One shuffle per size, as in Chong & Forsyth's calculate_FID_infinity.
        rows = np.sort(rng.permutation(len(fake))[:size])
        values.append(fd_from_fits(real_fit, fit_gaussian(np.asarray(fake[rows])), real_root))
    if len(sizes) < 2:
        return SampleSizeBias(sizes, values, None, None)
    slope, intercept = np.polyfit(1.0 / np.asarray(sizes, dtype=np.float64), np.asarray(values), 1)
    return SampleSizeBias(sizes, values, max(float(intercept), 0.0), float(slope), float(intercept))
