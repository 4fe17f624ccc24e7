"""The verdict: one paragraph in plain words, written from the claims of a structure analysis (issues 12, 21).

The conclusions - filaments, a lower local dimension, voids beyond the null,
each found, not found or inconclusive, and at which scale - come only from
the claims (:mod:`claims`); the single-scale tests add their numbers and never
a conclusion of their own.
"""

from __future__ import annotations

from zspace.analysis.structure.claims import FOUND, INCONCLUSIVE, Claim
from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.options import StructureOptions


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _find(tests: list[StructureTest], name: str) -> StructureTest | None:
    return next((t for t in tests if t.name == name), None)


FAMILIES = {"intrinsic_dimension": "intrinsic dimension", "nn_distance": "nearest-neighbour distances",
            "local_anisotropy": "local anisotropy", "void_fraction": "void fractions",
            "empty_cells": "empty cells of zoomed PCA planes"}
NAMES = {"filaments": "filaments", "lower_dimension": "lower local dimension",
         "voids_beyond_null": "voids beyond the null"}


def _family(name: str) -> str:
    """Plain words for a test's family: ``empty_cells_pca1-2_centre_zoom2`` -> "empty cells of zoomed PCA planes"."""
    return next((words for prefix, words in FAMILIES.items() if name.startswith(prefix)), name)


def _scales(evidence: dict[str, object]) -> str:
    scales = evidence.get("scales") or []
    return f"k = {scales[0]}-{scales[-1]}" if scales else "no scale"


def _where(claim: Claim) -> str:
    e = claim.evidence
    others = [k for k in e.get("scales_found", []) if k != claim.scale]
    also = f"; also at k = {', '.join(str(k) for k in others)}" if others else ""
    return f"k = {claim.scale} neighbours (radius {e['radius']:.3g}{also})"


def _mixture(claim: Claim) -> str:
    e = claim.evidence
    if e.get("mixture_reproduces") is None:
        return ""
    mixture = f"a mixture of {e['mixture_components']} Gaussians fitted to the data"
    value = (_percent(e["mixture_null_mean"]) if e["statistic"] == "void_fraction"
             else f"{e['mixture_null_mean']:.3g}")
    if e["mixture_reproduces"]:
        return f"; {mixture} gives as much ({value}): a few smooth blobs explain it"
    return f"; beyond {mixture} too ({value})"


def _undecided(claim: Claim, draws: int) -> str:
    e = claim.evidence
    if "reason" in e:
        return f"inconclusive: {e['reason']}."
    return (f"inconclusive: at k = {claim.scale} the effect ({e['effect']:.3g}) reaches the margin ({e['margin']:.3g})"
            f" but is not significant against {draws} Gaussian null draws; more draws or points would decide.")


def _filaments_found(claim: Claim) -> str:
    e = claim.evidence
    return (f"found at {_where(claim)}: median log λ1/λ2 {e['anisotropy']:.3g} (null"
            f" {e['gaussian_null_anisotropy']:.3g}), {e['data']:.3g} above an isotropic cloud of the data's own"
            f" local dimension there ({e['data_dimension']:.1f}), against {e['gaussian_null_mean']:.3g} ±"
            f" {e['gaussian_null_std']:.2g} for the Gaussian null{_mixture(claim)}.")


def _filaments_absent(e: dict[str, object]) -> str:
    return (f"not found at any scale ({_scales(e)}): neighbourhoods are no more elongated than an isotropic cloud"
            f" of their own local dimension by the log 1.5 a filament needs (largest excess {e['data']:.3g} at"
            f" k = {e['k']}, null {e['gaussian_null_mean']:.3g}).")


def _dimension_found(claim: Claim) -> str:
    e = claim.evidence
    return (f"found at {_where(claim)}: MLE {e['data']:.3g} against {e['gaussian_null_mean']:.3g} ±"
            f" {e['gaussian_null_std']:.2g} for the Gaussian null; the points lie on a set of fewer dimensions than"
            f" a Gaussian of their covariance fills{_mixture(claim)}.")


def _dimension_absent(e: dict[str, object]) -> str:
    return (f"not found ({_scales(e)}): nowhere is the data's dimension 20% below the null's (closest:"
            f" {e['data']:.3g} against {e['gaussian_null_mean']:.3g} at k = {e['k']}).")


def _voids_found(claim: Claim) -> str:
    e = claim.evidence
    if claim.scale == 1:
        return (f"found at the nearest-neighbour distance ({e['radius']:.3g}):"
                f" {e['statistic'][len('void_fraction_'):].replace('_', ' ')} probes in voids {_percent(e['data'])}"
                f" against {_percent(e['gaussian_null_mean'])} for the null.")
    return (f"found at {_where(claim)}: {_percent(e['data'])} of fitted-Gaussian probes lie farther from the data"
            f" than that radius, against {_percent(e['gaussian_null_mean'])} for the Gaussian null{_mixture(claim)}.")


def _voids_absent(e: dict[str, object]) -> str:
    return (f"not found ({_scales(e)}): at no scale are 5 points more of the probes in voids than for the null"
            f" (largest difference {100 * e['effect']:.1f} points at k = {e['k']}).")


SENTENCES = {"filaments": ("Filaments", _filaments_found, _filaments_absent),
             "lower_dimension": ("Lower local dimension", _dimension_found, _dimension_absent),
             "voids_beyond_null": ("Voids beyond the null", _voids_found, _voids_absent)}


def claim_sentence(name: str, claim: Claim, draws: int) -> str:
    """One claim in words: found (where, the numbers, the mixture), inconclusive (why), or not found."""
    label, found, absent = SENTENCES[name]
    if claim.status == INCONCLUSIVE:
        return f"{label}: {_undecided(claim, draws)}"
    return f"{label}: {found(claim) if claim.status == FOUND else absent(claim.evidence)}"


def _dimension_numbers(intrinsic: dict[str, float], null: dict[str, float], null_std: dict[str, float],
                       tests: list[StructureTest]) -> str:
    sentence = (f"Intrinsic dimension: TwoNN {intrinsic['twonn']:.1f} (null {null['twonn']:.1f} ± "
                f"{null_std['twonn']:.1f}), MLE {intrinsic['mle']:.1f} (null {null['mle']:.1f}); "
                f"{intrinsic['pca_90']} principal axes hold 90% of the variance, {intrinsic['pca_95']} hold 95%, "
                "for the data and the null alike.")
    higher = [t for t in (_find(tests, "intrinsic_dimension_twonn"), _find(tests, "intrinsic_dimension_mle"))
              if t is not None and t.significant and t.data > t.null_mean]
    if higher:
        sentence += " Locally the points fill more dimensions than the Gaussian null (e.g. noise or uniform spread)."
    return sentence


def _anisotropy_note(tests: list[StructureTest], filaments: Claim) -> str:
    test = _find(tests, "local_anisotropy")
    if test is None or filaments.found or not (test.significant and test.data > test.null_mean):
        return ""
    return (f"(At k = 20 alone, neighbourhoods look more elongated than the null's - median log λ1/λ2 {test.data:.3g}"
            f" against {test.null_mean:.3g} - as those of any cloud of fewer local dimensions do; the filament claim"
            " compares with an isotropic cloud of the data's own dimension instead.)")


def _void_numbers(tests: list[StructureTest], voids: Claim) -> str:
    parts = [f"{t.name[len('void_fraction_'):].replace('_', ' ')} {_percent(t.data)} (null {_percent(t.null_mean)})"
             for t in tests if t.name.startswith("void_fraction_")]
    if not parts:
        return ""
    sentence = ("Share of random probes in voids (farther from every data point than the data's median"
                f" neighbour distance): {'; '.join(parts)}.")
    if voids.status != FOUND:
        sentence += (" Voids of this kind come from the volume of a high-dimensional space, which any cloud of this"
                     " covariance leaves empty.")
    return sentence


def _plane_sentence(tests: list[StructureTest]) -> str:
    planes = [t for t in tests if t.name.startswith("empty_cells_")]
    if not planes:
        return ""
    more = [t for t in planes if t.significant and t.data > t.null_mean]
    fewer = [t for t in planes if t.significant and t.data <= t.null_mean]
    if not more and not fewer:
        return (f"Zoomed PCA planes: in all {len(planes)} windows the share of empty cells is that of the null,"
                " so the filaments and voids seen there are what any cloud of this covariance shows when zoomed.")
    sentence = f"Zoomed PCA planes: {len(more)} of {len(planes)} windows have significantly more empty cells"
    if more:
        best = max(more, key=lambda t: t.data - t.null_mean)
        sentence += (f" than the null (largest: {best.name[len('empty_cells_'):]}, {_percent(best.data)} empty"
                     f" vs {_percent(best.null_mean)})")
    else:
        sentence += " than the null"
    if fewer:
        sentence += f", {len(fewer)} fewer"
    return sentence + "."


def claims_summary(claims: dict[str, Claim]) -> str:
    """The first sentence: each claim's status and scale, from the claims alone."""
    parts = [f"{NAMES[name]} {c.status}" + (f" (k = {c.scale})" if c.scale is not None else "")
             for name, c in claims.items()]
    return f"Claims: {'; '.join(parts)}." if parts else ""


def closing(claims: dict[str, Claim], significant: list[StructureTest]) -> str:
    """The last sentence: what the claims (and, when none is found, the significant tests) mean together."""
    if any(c.status == FOUND for c in claims.values()):
        return ("In sum, the cloud is not a Gaussian with its covariance; whether that structure explains failed"
                " generations is what the void-score link to decoded quality measures.")
    undecided = [NAMES[name] for name, c in claims.items() if c.status == INCONCLUSIVE]
    names = ", ".join(dict.fromkeys(_family(t.name) for t in significant))
    if names:
        return (f"In sum, the cloud is not a Gaussian with its covariance ({names}), but none of the structures"
                " claimed here is established" + (f" ({', '.join(undecided)}: inconclusive)." if undecided else "."))
    if undecided:
        return f"In sum, inconclusive: {', '.join(undecided)}; no test tells the cloud from the Gaussian null."
    return ("In sum, these tests cannot tell the cloud from a Gaussian with its mean and covariance:"
            " the filaments and voids of projections are not evidence of structure here.")


def verdict(intrinsic: dict[str, float], null_intrinsic: dict[str, float], null_std: dict[str, float],
            tests: list[StructureTest], options: StructureOptions, typical_distance: float,
            claims: dict[str, Claim]) -> str:
    """A paragraph: the claims, the tests that differ, dimension, each claim's numbers, voids, planes, the sum."""
    significant = [t for t in tests if t.significant]
    method = "Holm" if options.correction == "holm" else "Benjamini-Hochberg"
    opening = (f"Against a Gaussian null with the data's exact mean and covariance and the same number of points"
               f" ({options.null_draws} draws), {len(significant)} of {len(tests)} structure tests differ"
               f" significantly (level {options.alpha:g}, {method} correction).")
    nn = _find(tests, "nn_distance_median")
    nn_sentence = ""
    if nn is not None:
        change = ("larger" if nn.data > nn.null_mean else "smaller") if nn.significant else ""
        nn_sentence = (f"The median nearest-neighbour distance is {typical_distance:.3g} (null {nn.null_mean:.3g})"
                       + (f", significantly {change}." if change else "."))
    draws = options.null_draws
    sentences = [claims_summary(claims), opening, _dimension_numbers(intrinsic, null_intrinsic, null_std, tests),
                 nn_sentence,
                 claim_sentence("lower_dimension", claims["lower_dimension"], draws),
                 claim_sentence("filaments", claims["filaments"], draws), _anisotropy_note(tests, claims["filaments"]),
                 claim_sentence("voids_beyond_null", claims["voids_beyond_null"], draws),
                 _void_numbers(tests, claims["voids_beyond_null"]), _plane_sentence(tests),
                 closing(claims, significant)]
    return " ".join(s for s in sentences if s)
