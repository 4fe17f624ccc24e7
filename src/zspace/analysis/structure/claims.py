"""Claims in machine-readable form (issue 21): filaments, lower dimension, voids beyond the null, each decided here.

Each claim reads the scale curves (:mod:`scale_profile`) and is, at each scale
k, *found* when the data differs from the Gaussian null significantly (after
the correction) in the claim's direction AND by at least a margin - a
difference too small to be the structure named is not that structure, however
many draws make it significant:

- ``filaments``: excess anisotropy (log lambda1/lambda2 above an isotropic
  cloud of the data's own dimension at k) at least log(1.5) above the null's,
  and at least log(1.5) itself: neighbourhoods half as elongated again as their
  dimension explains. A curved sheet of a few dimensions has low dimension,
  not excess anisotropy, so it is not filaments;
- ``lower_dimension``: the dimension at k at most 80% of the null's;
- ``voids_beyond_null``: at least 5 points more of the fitted-Gaussian probes
  farther from the data than its radius at k than from the null; or a
  single-scale void-fraction test (k = 1, any probe set) significant with that
  margin.

``status`` is "found" (``found`` True; ``scale`` = the k of the largest effect
among the scales found, ``evidence["scales_found"]`` all of them),
"inconclusive" (the effect reaches the margin at some scale but is not
significant: more null draws or points would decide; ``scale`` = that k) or
"not found" (``scale`` None; the evidence is the scale of the largest effect).
The evidence also says whether the fitted Gaussian mixture gives as much
(``mixture_reproduces``): then the structure is that of a few smooth blobs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.scale_profile import ScaleCurve, ScaleProfile

FOUND, INCONCLUSIVE, NOT_FOUND = "found", "inconclusive", "not found"
FILAMENT_MARGIN = math.log(1.5)
DIMENSION_MARGIN = 0.2  # 1 - data / null dimension
VOID_MARGIN = 0.05  # share of probes
CLAIM_STATISTIC = {"filaments": "excess_anisotropy", "lower_dimension": "dimension",
                   "voids_beyond_null": "void_fraction"}
MARGINS = {"filaments": FILAMENT_MARGIN, "lower_dimension": DIMENSION_MARGIN, "voids_beyond_null": VOID_MARGIN}


@dataclass
class Claim:
    """One structure claim: found or not, at which scale (k neighbours), and the numbers behind it."""

    found: bool
    status: str  # FOUND, INCONCLUSIVE or NOT_FOUND
    scale: int | None  # k neighbours; None when not found
    evidence: dict[str, object] = field(default_factory=dict)


def effect(claim: str, data: np.ndarray, null: np.ndarray) -> np.ndarray:
    """The claim's effect size at each scale (positive in the claim's direction)."""
    data, null = np.asarray(data, dtype=np.float64), np.asarray(null, dtype=np.float64)
    if claim == "lower_dimension":
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 - data / null
    if claim == "filaments":
        return np.minimum(data - null, data)  # above the null's excess and above an isotropic cloud's
    return data - null



def _evidence(claim: str, profile: ScaleProfile, curve: ScaleCurve, j: int, effects: np.ndarray,
              found_scales: list[int]) -> dict[str, object]:
    mixture = curve.mixture_mean()[j]
    mixture_effect = float(effect(claim, curve.data[j:j + 1], [mixture])[0]) if profile.mixture_components else None
    extra = {}
    if claim == "filaments":
        shape = profile.curve("anisotropy")
        extra = {"anisotropy": shape.data[j], "gaussian_null_anisotropy": float(shape.gaussian_mean()[j])}
    return {
        **extra, "statistic": CLAIM_STATISTIC[claim], "k": profile.scales[j],
        "radius": profile.curve("radius").data[j], "data": curve.data[j],
        "gaussian_null_mean": float(curve.gaussian_mean()[j]), "gaussian_null_std": float(curve.gaussian_std()[j]),
        "mixture_null_mean": None if mixture_effect is None else float(mixture),
        "effect": float(effects[j]), "margin": MARGINS[claim],
        "p_value": curve.p_value[j], "p_adjusted": curve.p_adjusted[j], "scales_found": found_scales,
        "mixture_reproduces": None if mixture_effect is None else bool(mixture_effect < MARGINS[claim]),
        "data_dimension": profile.curve("dimension").data[j], "mixture_components": profile.mixture_components,
        "scales": profile.scales,
    }


def scale_claim(claim: str, profile: ScaleProfile | None, alpha: float) -> Claim:
    """One claim from its curve: found / inconclusive / not found, and where."""
    if profile is None or not profile.scales:
        return Claim(False, INCONCLUSIVE, None, {"statistic": CLAIM_STATISTIC[claim], "scales_found": [],
                                                 "reason": "too few points for any scale (k <= (N - 1) / 8)"})
    curve = profile.curve(CLAIM_STATISTIC[claim])
    effects = effect(claim, curve.data, curve.gaussian_mean())
    margin = MARGINS[claim]
    large = np.nan_to_num(effects, nan=-np.inf) >= margin
    significant = np.array([np.isfinite(p) and p < alpha for p in curve.p_adjusted], dtype=bool)
    found = large & significant
    found_scales = [profile.scales[j] for j in np.flatnonzero(found)]
    ranked = np.where(np.isfinite(effects), effects, -np.inf)
    if found.any():
        j = int(np.flatnonzero(found)[np.argmax(ranked[found])])
        return Claim(True, FOUND, profile.scales[j], _evidence(claim, profile, curve, j, effects, found_scales))
    if large.any():
        j = int(np.flatnonzero(large)[np.argmax(ranked[large])])
        return Claim(False, INCONCLUSIVE, profile.scales[j], _evidence(claim, profile, curve, j, effects, []))
    j = int(np.argmax(ranked))
    return Claim(False, NOT_FOUND, None, _evidence(claim, profile, curve, j, effects, []))


def void_claim(profile: ScaleProfile | None, tests: list[StructureTest], alpha: float,
               typical_distance: float) -> Claim:
    """``voids_beyond_null`` from the void curve, or from a single-scale void test (k = 1: beyond the median
    nearest-neighbour distance ``typical_distance``) that is found."""
    claim = scale_claim("voids_beyond_null", profile, alpha)
    single = [t for t in tests if t.name.startswith("void_fraction_")]
    found_single = [t for t in single if t.significant and t.data - t.null_mean >= VOID_MARGIN]
    claim.evidence["single_scale"] = {t.name[len("void_fraction_"):]: {
        "data": t.data, "null_mean": t.null_mean, "p_adjusted": t.p_adjusted,
        "found": t in found_single} for t in single}
    if found_single and not claim.found:
        best = max(found_single, key=lambda t: t.data - t.null_mean)
        claim.found, claim.status, claim.scale = True, FOUND, 1
        claim.evidence.pop("reason", None)
        claim.evidence.update({"statistic": best.name, "k": 1, "radius": typical_distance, "data": best.data,
                               "gaussian_null_mean": best.null_mean, "gaussian_null_std": best.null_std,
                               "effect": best.data - best.null_mean, "p_value": best.p_value,
                               "p_adjusted": best.p_adjusted, "scales_found": [1], "mixture_null_mean": None,
                               "mixture_reproduces": None, "data_dimension": None})
    return claim


def decide_claims(profile: ScaleProfile | None, tests: list[StructureTest], alpha: float,
                  typical_distance: float) -> dict[str, Claim]:
    """Every claim of one analysis, by name."""
    return {"filaments": scale_claim("filaments", profile, alpha),
            "lower_dimension": scale_claim("lower_dimension", profile, alpha),
            "voids_beyond_null": void_claim(profile, tests, alpha, typical_distance)}
