"""``analyze()``: every latent-space measurement of the seed, exact, on all vectors (issue 4; SPEC S6-S14, X1, X5).

Two streaming passes over the (memory-mapped) N x d array:

1. moments: mean, covariance, correlation, min/max, radius sums (moments.py);
2. histograms of every component and of the radius, the slices of the chosen
   planes, and the coordinates of every vector on the chosen PCA axes.

Then small subsamples are gathered for the scatter planes and t-SNE. Writes
``metrics.json``, ``correlation.npy`` and ``figures/*.png`` into ``out_dir``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from zspace.analysis.components import ComponentHistogramAccumulator, ComponentStatistics, find_dominant
from zspace.analysis.correlation import CorrelationSummary, correlation_summary
from zspace.analysis.load import VectorSource, check_vectors
from zspace.analysis.moments import Moments, default_chunk_rows, iter_chunks, streaming_moments
from zspace.analysis.pca import PCAResult, pca_from_covariance
from zspace.analysis.planes import (
    ComponentPlane,
    PCAPlane,
    SliceAccumulator,
    choose_pairs,
    gather_rows,
    gaussian_null_plane,
    sample_rows,
    statistical_vectors,
    valid_pca_pairs,
)
from zspace.analysis.radius import RadiusHistogramAccumulator, RadiusStatistics, chi_quantile, radius_statistics
from zspace.analysis.tsne import EmbeddingMap, reduce_with_pca, tsne_map, umap_available, umap_map
from zspace.errors import ZspaceError
from zspace.io import save_json, save_npy

METRICS_FILE = "metrics.json"
CORRELATION_FILE = "correlation.npy"
FIGURES_FOLDER = "figures"

# progress(total, unit, description) -> context manager yielding advance(n); the CLI passes its tqdm bar.
ProgressFactory = Callable[[int, str, str], contextlib.AbstractContextManager[Callable[[int], None]]]


@contextlib.contextmanager
def _no_progress(total: int, unit: str, description: str) -> Iterator[Callable[[int], None]]:
    yield lambda n: None


@dataclass
class AnalysisOptions:
    """Every setting of :func:`analyze`; defaults follow the seed where it had one."""

    bin_width: float = 0.25  # S7 component histograms
    radius_bin_widths: tuple[float, ...] = (0.5, 0.05)  # S8
    dominant_threshold: float = 5.0  # robust z-score beyond which a component is dominant
    min_abs_r: float = 0.3  # pairs listed in metrics.json
    plane_pairs: int = 3  # correlated pairs and elongated pairs drawn (each)
    plane_points: int = 20_000  # scatter subsample
    statistical_bounds: tuple[float, ...] = (4.0, 1.5)  # S10
    statistical_count: int = 200
    chosen_row: int = 0  # the data point marked on the planes
    slice_threshold: float = 2.0  # S11
    pca_planes: tuple[tuple[int, int], ...] = ((1, 2), (1, 18), (8, 35))  # 1-based, S12
    zooms: tuple[float | None, ...] = (None, 5.0, 2.0, 1.0, 0.5)  # None = full range
    tsne_points: int = 0  # 0 = no t-SNE map
    tsne_perplexity: float = 30.0
    tsne_early_exaggeration: float = 12.0
    tsne_pca_components: int = 0  # 0 = t-SNE on the raw vectors
    umap: bool = False
    color_by: str | None = None  # index column for the map colours; default "label" when present
    drop_nonfinite: bool = False
    chunk_rows: int | None = None
    seed: int = 0
    figures: bool = True


@dataclass
class AnalysisResult:
    count: int
    dim: int
    dropped_rows: int
    moments: Moments
    correlation: np.ndarray  # (d, d)
    components: ComponentStatistics
    radius: RadiusStatistics
    correlation_summary: CorrelationSummary
    pca: PCAResult
    planes: list[ComponentPlane]
    pca_planes: list[PCAPlane]
    maps: list[EmbeddingMap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # steps skipped and why, for the user
    figures: list[Path] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)


def analyze(vectors: np.ndarray | VectorSource, index: dict[str, np.ndarray] | None, out_dir: str | os.PathLike,
            options: AnalysisOptions | None = None, progress: ProgressFactory | None = None) -> AnalysisResult:
    """Measure N x d ``vectors`` (array, memmap or :class:`VectorSource`); write the results into ``out_dir``."""
    options = options or AnalysisOptions()
    progress = progress or _no_progress
    source = vectors if isinstance(vectors, VectorSource) else check_vectors(
        vectors, "latent vectors", options.drop_nonfinite)
    data, keep = source.vectors, source.keep
    total, dim = data.shape
    index = index or {}
    for name, column in index.items():
        if len(column) != total:
            raise ZspaceError(f"index column '{name}' has {len(column)} rows but the vectors have {total}; "
                              "pass the index table of these vectors")
    step = options.chunk_rows or default_chunk_rows(dim)
    rng = np.random.default_rng(options.seed)

    with progress(total, "rows", "moments") as advance:
        moments = streaming_moments(data, step, keep, advance)
    correlation = moments.correlation()
    summary = correlation_summary(correlation, moments.count, min_abs=options.min_abs_r)
    pca = pca_from_covariance(moments.mean, moments.covariance)
    pairs = choose_pairs(summary, moments.covariance, options.plane_pairs)
    pca_pairs = valid_pca_pairs(list(options.pca_planes), dim)
    axes = sorted({a for pair in pca_pairs for a in pair})  # 1-based

    histograms = ComponentHistogramAccumulator(moments.minimum, moments.maximum, moments.mean, moments.std,
                                               options.bin_width)
    # the grid also covers the chi distribution drawn over it
    radius_top = max(moments.radius_max, chi_quantile(0.9999, dim))
    radii = RadiusHistogramAccumulator(radius_top, options.radius_bin_widths)
    slices = SliceAccumulator(pairs, options.slice_threshold)
    projected = np.zeros((moments.count, len(axes)), dtype=np.float32)  # N x (<= 5) float32, for the density planes
    filled = 0
    with progress(total, "rows", "histograms") as advance:
        for start, chunk in iter_chunks(data, step, keep):
            histograms.update(chunk)
            radii.update(chunk)
            slices.update(chunk)
            if axes:
                projected[filled:filled + len(chunk)] = pca.project(chunk, [a - 1 for a in axes])
            filled += len(chunk)
            advance(min(step, total - start))

    half_width = histograms.half_widths()
    dominant, inactive = find_dominant(moments.mean, moments.std, half_width, options.dominant_threshold)
    components = ComponentStatistics(moments.mean, moments.std, half_width, moments.minimum, moments.maximum,
                                     histograms.edges, histograms.coarse, dominant, inactive)
    radius = radius_statistics(radii, moments.count, dim, moments.radius_sum, moments.radius_square_sum)
    planes = _component_planes(source, pairs, slices, options, rng)
    pca_planes = []
    for a, b in pca_pairs:
        points = projected[:, [axes.index(a), axes.index(b)]]
        null = gaussian_null_plane(pca.explained_variance[a - 1], pca.explained_variance[b - 1], len(points), rng)
        pca_planes.append(PCAPlane(a, b, points, null, list(options.zooms)))
    notes = [f"PCA plane {pair} skipped: the vectors have {dim} dimensions"
             for pair in options.pca_planes if tuple(pair) not in pca_pairs]
    if options.umap and not umap_available():
        notes.append("UMAP skipped: the umap-learn package is not installed (pip install umap-learn)")
        options = replace(options, umap=False)
    maps = _maps(source, pca, options, rng, progress)

    result = AnalysisResult(moments.count, dim, source.dropped, moments, correlation, components, radius, summary,
                            pca, planes, pca_planes, maps, notes)
    result.metrics = metrics_dict(result, options)
    out_dir = Path(out_dir)
    save_npy(out_dir / CORRELATION_FILE, correlation)
    if options.figures:
        from zspace.report.analysis_figures import write_analysis_figures  # matplotlib only when drawing

        with progress(1, "step", "figures") as advance:
            result.figures = write_analysis_figures(result, index, out_dir / FIGURES_FOLDER, options.color_by)
            advance(1)
    result.metrics["figures"] = [str(p.relative_to(out_dir)) for p in result.figures]
    save_json(out_dir / METRICS_FILE, result.metrics)
    return result


def _component_planes(source: VectorSource, pairs, slices: SliceAccumulator, options: AnalysisOptions,
                      rng: np.random.Generator) -> list[ComponentPlane]:
    """Subsample, chosen point and statistical vectors on each chosen plane of two components."""
    if not pairs:
        return []
    data, keep = source.vectors, source.keep
    rows = sample_rows(len(data), options.plane_points, keep, rng)
    sample = gather_rows(data, rows)  # (m, d)
    chosen = options.chosen_row
    if not 0 <= chosen < len(data):
        raise ZspaceError(f"chosen row {chosen} is outside 0..{len(data) - 1}; pick a row of the vectors")
    if keep is not None and not keep[chosen]:
        chosen = int(np.flatnonzero(keep)[0])  # the chosen row was dropped (NaN/inf); take the first kept one
    chosen_vector = gather_rows(data, np.array([chosen]))[0]
    statistical = statistical_vectors(data.shape[1], options.statistical_bounds, options.statistical_count, rng)
    planes = []
    for pair, (count, points) in zip(pairs, slices.result(), strict=True):
        columns = [pair.i, pair.j]
        planes.append(ComponentPlane(pair, sample[:, columns], chosen_vector[columns], chosen,
                                     {b: v[:, columns] for b, v in statistical.items()}, points, count,
                                     options.slice_threshold))
    return planes


def _maps(source: VectorSource, pca: PCAResult, options: AnalysisOptions, rng: np.random.Generator,
          progress: ProgressFactory) -> list[EmbeddingMap]:
    """t-SNE (and UMAP when asked) of one subsample, optionally after PCA."""
    if options.tsne_points <= 0 and not options.umap:
        return []
    size = options.tsne_points if options.tsne_points > 0 else 20_000
    rows = sample_rows(len(source.vectors), size, source.keep, rng)
    points = gather_rows(source.vectors, rows)
    k = options.tsne_pca_components
    if k > 0:
        if k > points.shape[1]:
            raise ZspaceError(f"--tsne-pca {k} is more than the {points.shape[1]} dimensions; use at most that")
        points = reduce_with_pca(points, pca.components, pca.mean, k)
    maps = []
    if options.tsne_points > 0:
        with progress(1, "map", f"t-SNE of {len(rows)} points") as advance:
            maps.append(tsne_map(points, rows, options.tsne_perplexity, options.tsne_early_exaggeration, k,
                                 options.seed))
            advance(1)
    if options.umap:
        with progress(1, "map", f"UMAP of {len(rows)} points") as advance:
            maps.append(umap_map(points, rows, k, options.seed))
            advance(1)
    return maps


def metrics_dict(result: AnalysisResult, options: AnalysisOptions) -> dict:
    """The metrics.json content; the shape is fixed by issue 4, extra keys are additions."""
    components = result.components
    summary = result.correlation_summary
    return {
        "n": result.count,
        "dim": result.dim,
        "dropped_nonfinite_rows": result.dropped_rows,
        "components": {
            "mean": components.mean.tolist(),
            "std": components.std.tolist(),
            "half_width": components.half_width.tolist(),
            "half_width_definition": "half width at half maximum of a fine histogram (Gaussian: 1.1774 std)",
            "minimum": components.minimum.tolist(),
            "maximum": components.maximum.tolist(),
            "dominant": [{"index": c.index, "mean": c.mean, "half_width": c.half_width, "why": c.why}
                         for c in components.dominant],
            "dominant_threshold": options.dominant_threshold,
            "inactive": components.inactive,
        },
        "radius": {
            "mean": result.radius.mean, "std": result.radius.std, "mode": result.radius.mode,
            "sqrt_dim": result.radius.sqrt_dim,
        },
        "correlation": {
            "n_used": summary.n_used,
            "counts_above": summary.counts_above,
            "top_pairs": [{"i": p.i, "j": p.j, "r": p.r} for p in summary.top_pairs],
            "top_pairs_min_abs_r": options.min_abs_r,
        },
        "pca": {
            "explained_variance_ratio": result.pca.explained_variance_ratio.tolist(),
            "components_for_90pct": result.pca.components_for(0.9),
        },
        "planes": [{"i": p.pair.i, "j": p.pair.j, "reason": p.pair.reason, "slice_count": p.slice_count,
                    "slice_threshold": p.slice_threshold} for p in result.planes],
        "notes": result.notes,
        "maps": [{"method": m.method, "points": int(len(m.rows)), "pca_components": m.pca_components,
                  **m.settings} for m in result.maps],
    }
