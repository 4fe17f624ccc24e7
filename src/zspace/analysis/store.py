"""An analysis folder on disk: metrics.json plus the arrays behind every figure (issue 10, section 3).

:func:`save_analysis` writes them (atomic .npy files, no pickle) and
:func:`load_analysis` reads them back into an :class:`AnalysisResult`, so a
report or a web explorer redraws any figure without recomputing. The files are
listed in docs/analysis.md and, with one line each, under ``arrays`` in
metrics.json. Row numbers refer to the rows of the analysed N x d array.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zspace.analysis.components import ComponentStatistics, DominantComponent
from zspace.analysis.correlation import CorrelatedPair, CorrelationSummary
from zspace.analysis.pca import PCAResult
from zspace.analysis.planes import ComponentPlane, PCAPlane, PlanePair
from zspace.analysis.radius import RadiusHistogram, RadiusStatistics
from zspace.analysis.result import AnalysisResult
from zspace.analysis.tsne import EmbeddingMap
from zspace.errors import ZspaceError
from zspace.io import load_json, load_npy, save_json, save_npy

METRICS_FILE = "metrics.json"
FIGURES_FOLDER = "figures"


def _plane_stem(plane: ComponentPlane) -> str:
    return f"plane_{plane.pair.i}_{plane.pair.j}"


def analysis_arrays(result: AnalysisResult, projection: np.ndarray, projection_axes: list[int],
                    projection_rows: np.ndarray, null: np.ndarray, statistical: np.ndarray,
                    sample_rows: np.ndarray) -> dict[str, tuple[np.ndarray, str]]:
    """file name -> (array, one-line description) for everything the figures need."""
    c, pca = result.components, result.pca
    arrays = {
        "correlation.npy": (result.correlation, "(d, d) Pearson r over all rows"),
        "components_histograms.npy": (c.histograms, "(d, bins) counts per component on the shared bins"),
        "components_histogram_edges.npy": (c.histogram_edges, "(bins + 1,) bin edges of the component histograms"),
        "pca_mean.npy": (pca.mean, "(d,) mean the PCA centres on"),
        "pca_axes.npy": (pca.components, "(d, d) principal axes, row k = axis k + 1"),
        "pca_explained_variance.npy": (pca.explained_variance, "(d,) variance along each axis"),
        "pca_projection.npy": (projection, "(N, k) float32 centred rows on the PCA axes of the planes"),
        "pca_projection_axes.npy": (np.asarray(projection_axes, dtype=np.int64), "(k,) 1-based PCA axis numbers"),
        "pca_projection_rows.npy": (projection_rows, "(N,) row of each projected vector"),
        "pca_null.npy": (null, "(N, k) float32 Gaussian null with the same variances on those axes"),
        "statistical_vectors.npy": (statistical, "(bounds, count, d) uniform vectors in [-b, b]^d"),
        "plane_sample_rows.npy": (sample_rows, "(m,) rows of the scatter subsample of the component planes"),
    }
    if result.link is not None:
        arrays.update(result.link.arrays())
    for k, histogram in enumerate(result.radius.histograms):
        arrays[f"radius_histogram_{k}.npy"] = (histogram.counts, f"radius counts on bins of {histogram.bin_width:g}")
    for plane in result.planes:
        stem = _plane_stem(plane)
        arrays[f"{stem}_sample.npy"] = (plane.points, "(m, 2) the subsample on components (i, j)")
        arrays[f"{stem}_slice.npy"] = (plane.slice_points, "(s, 2) the slice on components (i, j)")
        arrays[f"{stem}_slice_rows.npy"] = (plane.slice_rows, "(s,) rows of the slice")
    for embedding in result.maps:
        arrays[f"{embedding.name}_coordinates.npy"] = (embedding.coordinates, f"(m, 2) {embedding.method} map")
        arrays[f"{embedding.name}_rows.npy"] = (embedding.rows, "(m,) rows of the mapped vectors")
        if embedding.colour is not None:
            arrays[f"{embedding.name}_colour.npy"] = (embedding.colour, f"(m,) colour values ({embedding.colour_by})")
    return arrays


def save_analysis(folder: str | os.PathLike, metrics: dict, arrays: dict[str, tuple[np.ndarray, str]]) -> None:
    """Write every array and metrics.json (which lists the arrays) into ``folder``."""
    folder = Path(folder)
    for name, (array, _) in arrays.items():
        save_npy(folder / name, array)
    save_json(folder / METRICS_FILE, {**metrics, "arrays": {name: text for name, (_, text) in arrays.items()}})


def load_analysis(folder: str | os.PathLike) -> AnalysisResult:
    """Read a saved analysis (metrics.json and its arrays) back; figures can be drawn from the result."""
    folder = Path(folder)
    if not (folder / METRICS_FILE).is_file():
        raise ZspaceError(f"{folder}: no {METRICS_FILE}; give a folder written by zspace analyze")
    metrics = load_json(folder / METRICS_FILE)
    if "arrays" not in metrics:
        raise ZspaceError(f"{folder}: this analysis was written by an older zspace without its arrays; "
                          "analyse again to redraw it")

    def array(name: str) -> np.ndarray:
        return load_npy(folder / name)

    m = metrics["components"]
    components = ComponentStatistics(
        np.array(m["mean"]), np.array(m["std"]), np.array(m["half_width"]), np.array(m["minimum"]),
        np.array(m["maximum"]), array("components_histogram_edges.npy"), array("components_histograms.npy"),
        [DominantComponent(d["index"], d["mean"], d["half_width"], d["why"]) for d in m["dominant"]],
        list(m["inactive"]), list(m["labels"]), list(m["active_units"]["components"]),
        m["active_units"]["threshold"], m["width_groups"], m["centre_groups"])
    r = metrics["radius"]
    histograms = []
    for k, width in enumerate(r["bin_widths"]):
        counts = array(f"radius_histogram_{k}.npy")
        histograms.append(RadiusHistogram(width, width * np.arange(len(counts) + 1), counts))
    radius = RadiusStatistics(r["mean"], r["std"], r["mode"], r["sqrt_dim"], metrics["dim"], metrics["n"], histograms)
    c = metrics["correlation"]
    summary = CorrelationSummary(c["n_used"], c["counts_above"],
                                 [CorrelatedPair(p["i"], p["j"], p["r"]) for p in c["top_pairs"]])
    variance = array("pca_explained_variance.npy")
    pca = PCAResult(array("pca_mean.npy"), array("pca_axes.npy"), variance,
                    np.array(metrics["pca"]["explained_variance_ratio"]))
    statistical = array("statistical_vectors.npy")
    bounds = metrics.get("statistical_bounds", [])
    planes = []
    for p in metrics["planes"]:
        pair = PlanePair(p["i"], p["j"], p["reason"])
        stem = f"plane_{pair.i}_{pair.j}"
        planes.append(ComponentPlane(
            pair, array(f"{stem}_sample.npy"), array("plane_sample_rows.npy"), np.array(p["chosen_point"]),
            p["chosen_row"], {float(b): statistical[k][:, [pair.i, pair.j]] for k, b in enumerate(bounds)},
            array(f"{stem}_slice.npy"), array(f"{stem}_slice_rows.npy"), p["slice_count"], p["slice_threshold"],
            p["slice_units"], p["slice_note"]))
    axes = array("pca_projection_axes.npy").tolist()
    projection, null = array("pca_projection.npy"), array("pca_null.npy")
    pca_planes = []
    for p in metrics["pca_planes"]:
        a, b = p["axes"]
        columns = [axes.index(a), axes.index(b)]
        pca_planes.append(PCAPlane(a, b, projection[:, columns], null[:, columns], p["windows"]))
    maps = []
    for entry in metrics["maps"]:
        settings = {k: v for k, v in entry.items() if k not in ("method", "points", "pca_components", "colour_by")}
        embedding = EmbeddingMap(entry["method"], np.zeros(0, dtype=np.int64), np.zeros((0, 2)),
                                 entry["pca_components"], settings, None, entry.get("colour_by"))
        embedding.rows, embedding.coordinates = array(f"{embedding.name}_rows.npy"), array(
            f"{embedding.name}_coordinates.npy")
        if (folder / f"{embedding.name}_colour.npy").is_file():
            embedding.colour = array(f"{embedding.name}_colour.npy")
        maps.append(embedding)
    result = AnalysisResult(metrics["n"], metrics["dim"], metrics["dropped_nonfinite_rows"], array("correlation.npy"),
                            components, radius, summary, pca, planes, pca_planes, maps, list(metrics["notes"]),
                            [folder / f for f in metrics.get("figures", [])], metrics)
    structure = metrics.get("structure")
    if structure:  # the structure subpackage only for an analysis that has the block
        if "tests" in structure:
            from zspace.analysis.structure.result import StructureResult

            result.structure = StructureResult.from_dict(structure)
        if "link" in structure:
            from zspace.analysis.structure.link_summary import load_link

            result.link = load_link(folder, structure["link"])
    return result
