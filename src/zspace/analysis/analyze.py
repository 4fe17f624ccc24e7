"""``analyze()``: every latent-space measurement of the seed, exact, on all vectors (issue 4; SPEC S6-S14, X1, X5).

Two streaming passes over the (memory-mapped) N x d array:

1. moments: mean, covariance, correlation, min/max, radius sums (moments.py);
2. histograms of every component and of the radius, the slices of the chosen
   planes, and the coordinates of every vector on the chosen PCA axes.

Then small subsamples are gathered for the scatter planes; t-SNE is fitted on
a subsample and places the other rows in chunks (tsne.py). Every
option is checked before the first pass. The result is returned, not written:
``Run.save`` or ``zspace.results.save`` keep it (metrics.json and the arrays
behind every figure), and zspace.report draws the figures from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from zspace.analysis.colours import check_color_by, default_color_by, map_colours
from zspace.analysis.components import ComponentHistogramAccumulator, ComponentStatistics
from zspace.analysis.correlation import correlation_summary
from zspace.analysis.dominant import active_units, classify_components
from zspace.analysis.load import VectorSource, check_vectors
from zspace.analysis.moments import default_chunk_rows, iter_chunks, streaming_moments
from zspace.analysis.pca import PCAResult, pca_from_covariance
from zspace.analysis.planes import (
    ComponentPlane,
    PCAPlane,
    PlanePair,
    SliceAccumulator,
    choose_pairs,
    gather_rows,
    sample_rows,
    statistical_vectors,
)
from zspace.analysis.radius import RadiusHistogramAccumulator, chi_quantile, radius_statistics
from zspace.analysis.result import AnalysisOptions, AnalysisResult
from zspace.analysis.structure.link_summary import GenerationLink
from zspace.analysis.tsne import EmbeddingMap, Placement, reduce_with_pca, tsne_map, umap_available, umap_map
from zspace.analysis.zooms import zoom_windows
from zspace.errors import ZspaceError
from zspace.progress import Progress, step

__all__ = ["AnalysisOptions", "AnalysisResult", "analyze"]

DEFAULT_MAP_POINTS = 20_000  # UMAP alone, without a t-SNE size


def _check_before_work(source: VectorSource, index: Mapping[str, np.ndarray], options: AnalysisOptions) -> None:
    total = source.vectors.shape[0]
    for name, column in index.items():
        if len(column) != total:
            raise ZspaceError(f"index column '{name}' has {len(column)} rows but the vectors have {total}; "
                              "pass the index table of these vectors")
    check_color_by(index, options.color_by)
    if options.chosen_row >= total:
        raise ZspaceError(f"chosen row {options.chosen_row} is outside 0..{total - 1}; pick a row of the vectors")
    points = min(options.tsne_points, options.tsne_fit_points, source.count)
    if options.tsne_points > 0 and points <= 3 * options.tsne_perplexity:
        raise ZspaceError(f"t-SNE fitted on {points} points with perplexity {options.tsne_perplexity:g}: too few "
                          f"points; use more points or a perplexity below {points / 3:.0f}",
                          options=("tsne_points", "tsne_fit_points", "tsne_perplexity"))
    if options.tsne_pca_components > source.vectors.shape[1]:
        raise ZspaceError(f"t-SNE after PCA to {options.tsne_pca_components} axes: the vectors have only "
                          f"{source.vectors.shape[1]} dimensions; use at most that many axes")


def analyze(vectors: np.ndarray | VectorSource, index: Mapping[str, np.ndarray] | None = None,
            options: AnalysisOptions | None = None, progress: Progress | None = None,
            link: GenerationLink | None = None) -> AnalysisResult:
    """Measure N x d ``vectors`` (array, memmap or :class:`VectorSource`) and return everything measured.

    With ``options.structure`` the structure analysis (issue 12) runs too (``result.structure``); ``link``
    (from :func:`zspace.generate.link.generation_link`, which needs the run's model) is kept as
    ``result.link``. Nothing is written: save the result with ``Run.save`` or ``zspace.results.save``.
    """
    options = (options or AnalysisOptions()).validate()
    source = vectors if isinstance(vectors, VectorSource) else check_vectors(
        vectors, "latent vectors", options.drop_nonfinite)
    index = index or {}
    _check_before_work(source, index, options)
    options = replace(options, color_by=default_color_by(index, options.color_by))
    data, keep = source.vectors, source.keep
    total, dim = data.shape
    chunk = options.chunk_rows or default_chunk_rows(dim)
    rng = np.random.default_rng(options.seed)
    notes: list[str] = []

    with step(progress, total, "rows", "moments") as advance:
        moments = streaming_moments(data, chunk, keep, advance)
    correlation = moments.correlation()
    summary = correlation_summary(correlation, moments.count, min_abs=options.min_abs_r)
    pca = pca_from_covariance(moments.mean, moments.covariance)
    pairs = choose_pairs(summary, moments.covariance, options.plane_pairs)
    pca_pairs = _pca_pairs(options.pca_planes, dim, notes)
    axes = sorted({a for pair in pca_pairs for a in pair})  # 1-based

    histograms = ComponentHistogramAccumulator(moments.minimum, moments.maximum, moments.mean, moments.std,
                                               options.bin_width)
    # the grid also covers the chi distribution drawn over it
    radii = RadiusHistogramAccumulator(max(moments.radius_max, chi_quantile(0.9999, dim)), options.radius_bin_widths)
    slices = SliceAccumulator(pairs, options.slice_threshold, options.slice_units, moments.mean, moments.std)
    projection = np.zeros((moments.count, len(axes)), dtype=np.float32)  # N x (<= 5) float32, the density planes
    filled = 0
    with step(progress, total, "rows", "histograms") as advance:
        for start, block in iter_chunks(data, chunk, keep):
            rows = np.arange(start, min(start + chunk, total))
            rows = rows if keep is None else rows[keep[start:start + chunk]]
            histograms.update(block)
            radii.update(block)
            slices.update(block, rows)
            if axes:
                projection[filled:filled + len(block)] = pca.project(block, [a - 1 for a in axes])
            filled += len(block)
            advance(min(chunk, total - start))

    half_width = histograms.half_widths()
    classes = classify_components(moments.mean, moments.std, half_width, options.inactive_ratio)
    components = ComponentStatistics(
        moments.mean, moments.std, half_width, moments.minimum, moments.maximum, histograms.edges,
        histograms.coarse, classes["dominant"], classes["inactive"], classes["labels"],
        active_units(moments.std, options.active_threshold), options.active_threshold,
        classes["width_groups"], classes["centre_groups"], options.inactive_ratio)
    radius = radius_statistics(radii, moments.count, dim, moments.radius_sum, moments.radius_square_sum)
    statistical = statistical_vectors(dim, options.statistical_bounds, options.statistical_count, rng)
    sample = sample_rows(total, options.plane_points, keep, rng)
    planes = _component_planes(source, pairs, slices, sample, statistical, options, moments.std)
    null = (rng.standard_normal(projection.shape) * np.sqrt(pca.explained_variance[[a - 1 for a in axes]])
            ).astype(np.float32)
    pca_planes = []
    for a, b in pca_pairs:
        columns = [axes.index(a), axes.index(b)]
        points = projection[:, columns]
        spread = np.sqrt(pca.explained_variance[[a - 1, b - 1]])
        pca_planes.append(PCAPlane(a, b, points, null[:, columns],
                                   zoom_windows(points, spread, list(options.zooms), options.zoom_units)))
    maps = _maps(source, index, pca, options, rng, progress, notes)
    structure = None
    if options.structure is not None:
        from zspace.analysis.structure import structure_analysis  # scipy and matplotlib only when asked

        structure = structure_analysis(data, options.structure, progress, keep)

    statistical_stack = (np.stack([statistical[float(b)] for b in options.statistical_bounds]).astype(np.float32)
                         if options.statistical_bounds else np.zeros((0, 0, dim), np.float32))
    return AnalysisResult(moments.count, dim, source.dropped, correlation, components, radius, summary, pca,
                          planes, pca_planes, [float(b) for b in options.statistical_bounds], statistical_stack,
                          maps, notes, structure=structure, link=link, covariance=moments.covariance)


def _pca_pairs(pairs: tuple[tuple[int, int], ...], dim: int, notes: list[str]) -> list[tuple[int, int]]:
    """The 1-based axis pairs that exist in ``dim`` dimensions; a note for each one that does not."""
    kept = []
    for a, b in pairs:
        if max(a, b) > dim:
            notes.append(f"PCA plane ({a}, {b}) skipped: axis {max(a, b)} does not exist, "
                         f"the vectors have {dim} dimension{'s' if dim > 1 else ''}")
        else:
            kept.append((a, b))
    return kept


def slice_note(count: int, others: int, options: AnalysisOptions, std: np.ndarray, total: int) -> str:
    """Why a slice is empty and what to change ("" when it holds vectors)."""
    if count:
        return ""
    t = options.slice_threshold
    if options.slice_units == "absolute":
        return (f"empty: no vector has all {others} other |z_k| < {t:g} (component stds "
                f"{np.min(std):.2g} to {np.max(std):.2g}); use slice units 'spread' or raise the slice threshold")
    from scipy import special  # imported when used: scipy.special costs ~0.5 s to import

    inside = float(special.erf(t / np.sqrt(2)))  # P(|x - m| < t std) for a Gaussian component
    expected = total * inside**others
    wanted = min(1000.0, total / 10)
    suggestion = float(np.sqrt(2) * special.erfinv((wanted / total) ** (1 / max(others, 1))))
    return (f"empty: no vector has all {others} other components within {t:g} std of their centres "
            f"(independent Gaussians would put {expected:.2g} there); raise the slice threshold to about "
            f"{suggestion:.2g} for ~{wanted:.0f} vectors")


def _component_planes(source: VectorSource, pairs: list[PlanePair], slices: SliceAccumulator, rows: np.ndarray,
                      statistical: dict[float, np.ndarray], options: AnalysisOptions,
                      std: np.ndarray) -> list[ComponentPlane]:
    """Subsample, chosen point, statistical vectors and slice on each chosen plane of two components."""
    if not pairs:
        return []
    data, keep = source.vectors, source.keep
    sample = gather_rows(data, rows)  # (m, d)
    chosen = options.chosen_row
    if keep is not None and not keep[chosen]:
        chosen = int(np.flatnonzero(keep)[0])  # the chosen row was dropped (NaN/inf); take the first kept one
    chosen_vector = gather_rows(data, np.array([chosen]))[0]
    others = int(np.count_nonzero(std > 0)) - 2
    planes = []
    for pair, (count, points, slice_rows) in zip(pairs, slices.result(), strict=True):
        columns = [pair.i, pair.j]
        planes.append(ComponentPlane(pair, sample[:, columns], rows, chosen_vector[columns], chosen,
                                     {b: v[:, columns] for b, v in statistical.items()}, points, slice_rows, count,
                                     options.slice_threshold, options.slice_units,
                                     slice_note(count, others, options, std, source.count)))
    return planes


def _maps(source: VectorSource, index: Mapping[str, np.ndarray], pca: PCAResult, options: AnalysisOptions,
          rng: np.random.Generator, progress: Progress | None, notes: list[str]) -> list[EmbeddingMap]:
    """t-SNE (and UMAP when asked) of up to ``tsne_points`` rows (all, by default up to a million), optionally after
    PCA: fitted on ``tsne_fit_points`` of them, the others placed in the fitted map; a note for each map skipped."""
    wanted = [m for m, on in (("t-SNE", options.tsne_points > 0), ("UMAP", options.umap)) if on]
    if "UMAP" in wanted and not umap_available():
        notes.append("UMAP skipped: the umap-learn package is not installed (pip install umap-learn)")
        wanted.remove("UMAP")
    k = options.tsne_pca_components
    dim = k or source.vectors.shape[1]
    if wanted and dim < 2:
        notes.append(f"{' and '.join(wanted)} skipped: the vectors have {dim} dimension; a 2-D map needs at least 2")
        return []
    if not wanted:
        return []
    rows = sample_rows(len(source.vectors), options.tsne_points or DEFAULT_MAP_POINTS, source.keep, rng)
    fit_rows = rows if options.tsne_fit_points >= len(rows) else np.sort(
        rng.choice(rows, size=options.tsne_fit_points, replace=False))

    def read(chosen: np.ndarray) -> np.ndarray:
        points = gather_rows(source.vectors, chosen)
        return reduce_with_pca(points, pca.components, pca.mean, k) if k > 0 else points

    points = read(fit_rows)
    placed_rows = np.setdiff1d(rows, fit_rows, assume_unique=True)
    placement = Placement(placed_rows, read) if len(placed_rows) else None
    maps = []
    if "t-SNE" in wanted:
        maps.append(tsne_map(points, fit_rows, options.tsne_perplexity, options.tsne_early_exaggeration, k,
                             options.seed, progress=progress, placement=placement))
    if "UMAP" in wanted:
        maps.append(umap_map(points, fit_rows, k, options.seed, placement=placement, progress=progress))
    colour = map_colours(index, options.color_by, rows)
    for embedding in maps:
        embedding.colour, embedding.colour_by = colour, options.color_by if colour is not None else None
    return maps
