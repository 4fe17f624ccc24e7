"""One structure statistic of the data against its values over the null draws: a p-value, then a correction.

The p-value. With n null draws, an empirical rank p-value (1 + #{null at least
as extreme}) / (n + 1) can never go below 1 / (n + 1) = 0.17 for n = 5: no test
could ever be significant. We use instead the prediction interval of a normal
sample (e.g. Geisser 1993, "Predictive Inference", ch. 2): if the data's
statistic T_0 and the null draws' T_1 ... T_n are independent draws of one
normal variable, then

    t = (T_0 - mean(T_1..n)) / (s * sqrt(1 + 1/n)),   s = std(T_1..n, ddof=1)

follows Student's t with n - 1 degrees of freedom exactly, whatever the
unknown mean and variance, and the two-sided p-value is 2 * P(t_{n-1} > |t|).

Why it is valid here. Under the null hypothesis "the data is a Gaussian cloud"
the data and the null draws are exchangeable (see :mod:`null_model`: same
mean and covariance exactly, the same N, the same procedure), so T_0 has the
distribution of the T_i. Each statistic is an average, median or share over
thousands of points, probes or cells, hence close to normal across draws
(central limit theorem); heavy tails are what the t with n - 1 = 4 degrees of
freedom already allows for. The tests check the level on Gaussian clouds of
several covariances and seeds.

A statistic that does not vary over the draws (every probe in a void, for the
data and for every null draw) would give s = 0; its spread is floored at the
statistic's resolution (one probe or one cell of a share: 1 / count), so a
difference of one probe never counts as significant.

The correction: Holm (1979) by default, which controls the family-wise error
rate under any dependence between the tests (ours share the same clouds, so
they are dependent); Benjamini-Hochberg (1995) on request, which controls the
false discovery rate (under positive dependence) and is more powerful.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from zspace.errors import ZspaceError

CORRECTIONS = ("holm", "bh")


@dataclass
class StructureTest:
    """The data's value of one statistic beside its null draws, with raw and corrected p-values."""

    name: str
    data: float
    null_values: list[float]
    resolution: float  # smallest meaningful difference (floors the null spread)
    description: str = ""
    details: dict[str, object] = field(default_factory=dict)
    p_value: float = float("nan")  # two-sided, from the t prediction interval
    p_adjusted: float = float("nan")  # after the multiple-testing correction
    significant: bool = False

    @property
    def null_mean(self) -> float:
        return float(np.mean(self.null_values))

    @property
    def null_std(self) -> float:
        return float(np.std(self.null_values, ddof=1)) if len(self.null_values) > 1 else float("nan")

    @property
    def z_score(self) -> float:
        """(data - null mean) / null std, with the std floored at the resolution."""
        return (self.data - self.null_mean) / max(self.null_std, self.resolution)

    @property
    def rank_p_value(self) -> float:
        """The empirical two-sided rank p-value, for comparison (never below 1 / (draws + 1))."""
        null = np.asarray(self.null_values)
        centre = np.median(np.append(null, self.data))
        extreme = np.sum(np.abs(null - centre) >= abs(self.data - centre))
        return float((1 + extreme) / (len(null) + 1))

    def described(self) -> dict[str, object]:
        """The null's mean and spread, the z-score and the rank p-value, for a reader of the saved JSON."""
        return {"null_mean": self.null_mean, "null_std": self.null_std, "z_score": self.z_score,
                "rank_p_value": self.rank_p_value}


def prediction_p_value(data: float, null_values: np.ndarray | list[float], resolution: float = 0.0) -> float:
    """Two-sided p-value of ``data`` as one more draw of the null values' normal law (Student t, n - 1 df)."""
    null = np.asarray(null_values, dtype=np.float64)
    count = len(null)
    if count < 2:
        raise ZspaceError(f"a null test needs at least 2 null draws, got {count}")
    if not np.isfinite(data) or not np.all(np.isfinite(null)):
        return float("nan")
    spread = max(float(np.std(null, ddof=1)), float(resolution))
    difference = abs(data - float(null.mean()))
    if spread == 0.0:
        return 1.0 if difference == 0.0 else 0.0
    t = difference / (spread * np.sqrt(1.0 + 1.0 / count))
    return float(2.0 * stats.t.sf(t, df=count - 1))


def _ranked(p_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p as float64, an all-NaN array for the adjusted values, the finite p's indices from smallest p up)."""
    p = np.asarray(p_values, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(p))
    return p, np.full_like(p, np.nan), finite[np.argsort(p[finite], kind="stable")]


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (NaN stays NaN and takes no part)."""
    p, adjusted, order = _ranked(p_values)
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg (1995) step-up adjusted p-values (q-values); NaN stays NaN."""
    p, adjusted, order = _ranked(p_values)
    m = len(order)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        index = order[rank]
        running = min(running, m * p[index] / (rank + 1))
        adjusted[index] = min(running, 1.0)
    return adjusted


def evaluate_tests(tests: list[StructureTest], alpha: float = 0.05, correction: str = "holm") -> list[StructureTest]:
    """Fill ``p_value``, ``p_adjusted`` and ``significant`` (p_adjusted < alpha) of every test, in place."""
    if correction not in CORRECTIONS:
        raise ZspaceError(f"multiple-testing correction {correction!r} is not one of {', '.join(CORRECTIONS)}")
    if not 0.0 < alpha < 1.0:
        raise ZspaceError(f"significance level alpha = {alpha} must be in (0, 1)")
    raw = np.array([prediction_p_value(t.data, t.null_values, t.resolution) for t in tests])
    adjusted = holm(raw) if correction == "holm" else benjamini_hochberg(raw)
    for test, p, q in zip(tests, raw, adjusted, strict=True):
        test.p_value, test.p_adjusted = float(p), float(q)
        test.significant = bool(np.isfinite(q) and q < alpha)
    return tests
