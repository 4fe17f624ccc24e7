"""The verdict: one paragraph in plain words, written from the numbers of a structure analysis (issue 12)."""

from __future__ import annotations

from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.options import StructureOptions


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _find(tests: list[StructureTest], name: str) -> StructureTest | None:
    return next((t for t in tests if t.name == name), None)


FAMILIES = {"intrinsic_dimension": "intrinsic dimension", "nn_distance": "nearest-neighbour distances",
            "local_anisotropy": "local anisotropy", "void_fraction": "void fractions",
            "empty_cells": "empty cells of zoomed PCA planes"}


def _family(name: str) -> str:
    """Plain words for a test's family: ``empty_cells_pca1-2_centre_zoom2`` -> "empty cells of zoomed PCA planes"."""
    return next((words for prefix, words in FAMILIES.items() if name.startswith(prefix)), name)


def _dimension_sentence(intrinsic: dict[str, float], null: dict[str, float], null_std: dict[str, float],
                        tests: list[StructureTest]) -> str:
    sentence = (f"Intrinsic dimension: TwoNN {intrinsic['twonn']:.1f} (null {null['twonn']:.1f} ± "
                f"{null_std['twonn']:.1f}), MLE {intrinsic['mle']:.1f} (null {null['mle']:.1f}); "
                f"{intrinsic['pca_90']} principal axes hold 90% of the variance, {intrinsic['pca_95']} hold 95%, "
                "for the data and the null alike.")
    twonn = _find(tests, "intrinsic_dimension_twonn")
    mle = _find(tests, "intrinsic_dimension_mle")
    lower = [t for t in (twonn, mle) if t is not None and t.significant and t.data < t.null_mean]
    if lower:
        sentence += (" The points lie on a set of lower dimension than a Gaussian with their covariance"
                     " would fill: they have structure at the scale of their nearest neighbours.")
    elif any(t is not None and t.significant for t in (twonn, mle)):
        sentence += " Locally the points fill more dimensions than the Gaussian null (e.g. noise or uniform spread)."
    return sentence


def _filament_sentence(tests: list[StructureTest]) -> str:
    test = _find(tests, "local_anisotropy")
    if test is None:
        return ""
    numbers = f"(median log λ1/λ2 {test.data:.3g}, null {test.null_mean:.3g} ± {test.null_std:.2g})"
    if test.significant and test.data > test.null_mean:
        return (f"Neighbourhoods are more elongated than in the null {numbers}: locally the cloud is closer to"
                " one-dimensional, as filaments would make it.")
    if test.significant:
        return f"Neighbourhoods are rounder than in the null {numbers}: no sign of filaments."
    return f"Neighbourhoods are no more elongated than in the null {numbers}: no sign of filaments."


def _void_sentence(tests: list[StructureTest], options: StructureOptions) -> str:
    parts, more, same = [], [], []
    for test in tests:
        if not test.name.startswith("void_fraction_"):
            continue
        probe = test.name[len("void_fraction_"):].replace("_", " ")
        parts.append(f"{probe} {_percent(test.data)} (null {_percent(test.null_mean)})")
        (more if test.significant and test.data > test.null_mean else same).append(probe)
    if not parts:
        return ""
    sentence = ("Share of random probes in voids (farther from every data point than the data's median"
                f" neighbour distance): {'; '.join(parts)}.")
    if more:
        sentence += f" The data has significantly more void than the null for {', '.join(more)} probes."
    if same and not more:
        sentence += (" The null has as much void: voids of this kind come from the volume of a high-dimensional"
                     " space, which any cloud of this covariance leaves empty, not from filaments.")
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


def verdict(intrinsic: dict[str, float], null_intrinsic: dict[str, float], null_std: dict[str, float],
            tests: list[StructureTest], options: StructureOptions, typical_distance: float) -> str:
    """A paragraph: how many tests differ from the null, then dimension, filaments, voids, planes, conclusion."""
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
    if not significant:
        conclusion = ("In sum, these tests cannot tell the cloud from a Gaussian with its mean and covariance:"
                      " the filaments and voids of projections are not evidence of structure here.")
    else:
        names = ", ".join(dict.fromkeys(_family(t.name) for t in significant))
        conclusion = (f"In sum, the cloud is not a Gaussian with its covariance ({names}); whether that structure"
                      " explains failed generations is what the void-score link to decoded quality measures.")
    sentences = [opening, _dimension_sentence(intrinsic, null_intrinsic, null_std, tests), nn_sentence,
                 _filament_sentence(tests), _void_sentence(tests, options), _plane_sentence(tests), conclusion]
    return " ".join(s for s in sentences if s)
