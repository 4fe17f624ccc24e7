"""The saved scale curves (issue 21): each statistic of :mod:`scales` at every k, for the data and both nulls.

Per scale and per tested statistic a p-value of the data against the Gaussian
null draws (the t prediction interval of :mod:`null_tests`, valid because the
Gaussian draws are exchangeable with the data under "the data is Gaussian"),
corrected over all the tested curves and scales together (Holm by default), at
the analysis' level. The mixture draws are shown beside, without a p-value
(:mod:`mixture_null`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.analysis.structure.null_tests import StructureTest, evaluate_tests
from zspace.analysis.structure.scales import ScaleMeasures

# The curves a claim reads (and that get p-values), with the smallest difference each can show beyond rounding.
TESTED = ("excess_anisotropy", "dimension", "void_fraction")
CURVES = ("dimension", "anisotropy", "excess_anisotropy", "radius", "void_fraction")
DEFINITIONS = {
    "dimension": "Levina-Bickel MLE with k neighbours (mean inverse over the query points)",
    "anisotropy": "median log(lambda1 / lambda2) of local PCA of a point and its k neighbours",
    "excess_anisotropy": "anisotropy minus that of an isotropic cloud of the dimension measured at k",
    "radius": "median distance to the k-th neighbour",
    "void_fraction": "share of the fitted-Gaussian probes farther from the cloud than its radius at k",
}
RELATIVE_RESOLUTION = 1e-9


@dataclass
class ScaleCurve:
    """One statistic at every scale: the data, each Gaussian null draw and each mixture draw (draws x scales)."""

    data: list[float]
    gaussian: list[list[float]]
    mixture: list[list[float]] = field(default_factory=list)
    p_value: list[float] = field(default_factory=list)  # raw, against the Gaussian draws (tested curves only)
    p_adjusted: list[float] = field(default_factory=list)

    def gaussian_mean(self) -> np.ndarray:
        return np.mean(np.asarray(self.gaussian, dtype=np.float64), axis=0)

    def gaussian_std(self) -> np.ndarray:
        return np.std(np.asarray(self.gaussian, dtype=np.float64), axis=0, ddof=1)

    def mixture_mean(self) -> np.ndarray:
        if not self.mixture:
            return np.full(len(self.data), np.nan)
        return np.mean(np.asarray(self.mixture, dtype=np.float64), axis=0)

    def described(self) -> dict[str, object]:
        return {"gaussian_mean": self.gaussian_mean(), "gaussian_std": self.gaussian_std()}


@dataclass
class ScaleProfile:
    """Every scale curve of one analysis; ``queries[j]``: the query points measured at scales[j]."""

    scales: list[int]
    queries: list[int]
    curves: dict[str, ScaleCurve]
    probes: int  # fitted-Gaussian probes behind void_fraction
    mixture_components: int = 0  # 0: no mixture null

    def curve(self, name: str) -> ScaleCurve:
        return self.curves[name]

    def described(self) -> dict[str, object]:
        return {"definitions": {name: DEFINITIONS[name] for name in self.curves},
                "tested": [name for name in TESTED if name in self.curves],
                "p_value": "two-sided t prediction interval over the Gaussian null draws, corrected over the tested"
                           " curves and scales together"}


def _resolution(name: str, null_values: list[float], probes: int) -> float:
    if name == "void_fraction":
        return 1.0 / probes
    return RELATIVE_RESOLUTION * max(abs(float(np.mean(null_values))), 1e-300)


def scale_profile(scales: list[int], queries: list[int], data: ScaleMeasures, gaussian: list[ScaleMeasures],
                  mixture: list[ScaleMeasures], probes: int, mixture_components: int, alpha: float,
                  correction: str) -> ScaleProfile:
    """The curves of the data and the draws, with p-values of the tested curves corrected together."""
    curves = {name: ScaleCurve(data.statistic(name).tolist(), [g.statistic(name).tolist() for g in gaussian],
                               [m.statistic(name).tolist() for m in mixture]) for name in CURVES}
    tests = []
    for name in TESTED:
        curve = curves[name]
        for j in range(len(scales)):
            null = [draw[j] for draw in curve.gaussian]
            tests.append(StructureTest(f"{name}_{j}", curve.data[j], null, _resolution(name, null, probes)))
    evaluate_tests(tests, alpha, correction)
    for position, name in enumerate(TESTED):
        done = tests[position * len(scales):(position + 1) * len(scales)]
        curves[name].p_value = [t.p_value for t in done]
        curves[name].p_adjusted = [t.p_adjusted for t in done]
    return ScaleProfile(list(scales), list(queries), curves, probes, mixture_components)
