"""Figures of the latent analysis (SPEC S7-S13): results in, ``matplotlib.figure.Figure`` out (no pyplot state);
``write_analysis_figures`` draws them all from an :class:`AnalysisResult` (as saved and loaded by
zspace.results). Component figures live in component_figures.py, plane figures in plane_figures.py;
docs/analysis.md says how to read each one."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from zspace.analysis.correlation import CorrelationSummary
from zspace.analysis.pca import PCAResult
from zspace.analysis.radius import RadiusStatistics, chi_counts
from zspace.analysis.result import AnalysisResult
from zspace.analysis.tsne import EmbeddingMap
from zspace.progress import Progress, step
from zspace.report.component_figures import chosen_components_figure, component_overlay_figure, component_table_figure
from zspace.report.figures import save_figure
from zspace.report.plane_figures import component_plane_figure, pca_density_figure


def _centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def radius_figure(radius: RadiusStatistics) -> Figure:
    """Radius histograms on each bin width (S8) with the chi distribution of N(0, I_d) drawn over them."""
    figure = Figure(figsize=(5.5 * len(radius.histograms), 4))
    axes = figure.subplots(1, len(radius.histograms), squeeze=False)
    for ax, histogram in zip(axes.flat, radius.histograms, strict=True):
        centres = _centres(histogram.edges)
        ax.bar(centres, histogram.counts, width=histogram.bin_width, color="tab:blue", alpha=0.6,
               label=f"data, N={radius.count}")
        expected = chi_counts(histogram.edges, radius.dim, radius.count)
        ax.stairs(expected, histogram.edges, color="black", linewidth=1.2,
                  label=f"chi, d={radius.dim} (radius of N(0, I))")
        ax.axvline(radius.chi_mean, color="tab:red", linestyle="--", linewidth=1,
                   label=f"mean radius of N(0, I) = {radius.chi_mean:.2f}")
        shown = np.flatnonzero((histogram.counts > 0) | (expected > 0.5))
        if len(shown):
            ax.set_xlim(histogram.edges[shown[0]], histogram.edges[shown[-1] + 1])
        ax.set(xlabel="radius ||z||", ylabel=f"count per bin of {histogram.bin_width:g}",
               title=f"radius: mean {radius.mean:.2f}, std {radius.std:.2f}, mode {radius.mode:.2f}")
        ax.legend(fontsize=7)
    figure.tight_layout()
    return figure


def correlation_figure(correlation: np.ndarray, summary: CorrelationSummary) -> Figure:
    """Left: Pearson r heatmap (diagonal blanked). Right: distribution of the off-diagonal r with the counts."""
    figure = Figure(figsize=(11, 4.6))
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    shown = correlation.copy()
    np.fill_diagonal(shown, np.nan)
    image = left.imshow(shown, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    figure.colorbar(image, ax=left, fraction=0.046, pad=0.04, label="Pearson r")
    left.set(xlabel="component", ylabel="component", title=f"correlation over all N = {summary.n_used}")
    values = correlation[np.triu_indices(len(correlation), k=1)]
    right.hist(values, bins=np.linspace(-1, 1, 81), color="tab:blue", log=len(values) > 2000)
    text = "\n".join(f"|r| > {t}: {k}" for t, k in summary.counts_above.items())
    right.text(0.02, 0.97, text, transform=right.transAxes, va="top", fontsize=8, family="monospace")
    right.set(xlabel="r of a pair i < j", ylabel="pairs", title=f"{len(values)} pairs")
    figure.tight_layout()
    return figure


def pca_variance_figure(pca: PCAResult) -> Figure:
    """Explained variance ratio per principal axis (log) and its cumulative sum with the 90% mark (S12)."""
    ratio = pca.explained_variance_ratio
    axes_numbers = np.arange(1, len(ratio) + 1)
    k90 = pca.components_for(0.9)
    figure = Figure(figsize=(10, 3.8))
    left, right = figure.subplots(1, 2)
    left.semilogy(axes_numbers, np.maximum(ratio, 1e-12), marker=".", linewidth=0.8)
    left.set(xlabel="PCA axis", ylabel="explained variance ratio", title="variance per axis")
    right.plot(axes_numbers, np.cumsum(ratio), marker=".", linewidth=0.8)
    right.axhline(0.9, color="tab:red", linestyle="--", linewidth=1)
    right.axvline(k90, color="tab:red", linestyle=":", linewidth=1)
    right.set(xlabel="number of axes", ylabel="cumulative ratio", ylim=(0, 1.02),
              title=f"{k90} of {len(ratio)} axes hold 90% of the variance")
    figure.tight_layout()
    return figure


def embedding_figure(embedding: EmbeddingMap) -> Figure:
    """A t-SNE/UMAP map coloured by its saved colour values (categories: legend; numbers: colour bar)."""
    figure = Figure(figsize=(7, 6.2))
    ax = figure.subplots()
    xy = embedding.coordinates
    size = float(np.clip(20000 / max(len(xy), 1), 0.3, 6))
    title = f"{embedding.method} of {len(xy)} vectors"
    if embedding.pca_components:
        title += f" after PCA to {embedding.pca_components}"
    if embedding.method == "tsne":
        title += f" (perplexity {embedding.settings['perplexity']:g}, exaggeration "
        title += f"{embedding.settings['early_exaggeration']:g})"
    values = embedding.colour
    if values is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, linewidths=0, alpha=0.6)
    elif values.dtype.kind in "US":
        categories, counts = np.unique(values, return_counts=True)
        categories = categories[np.argsort(-counts, kind="stable")]
        colours = colormaps["tab20" if len(categories) > 10 else "tab10"]
        for k, value in enumerate(categories):
            mask = values == value
            ax.scatter(xy[mask, 0], xy[mask, 1], s=size, linewidths=0, alpha=0.7,
                       color="0.6" if value == "other" else colours(k % 20), label=str(value))
        ax.legend(title=embedding.colour_by, fontsize=7, markerscale=max(1, 6 / size), loc="best")
    else:
        points = ax.scatter(xy[:, 0], xy[:, 1], s=size, c=values, cmap="viridis", linewidths=0)
        figure.colorbar(points, ax=ax, label=embedding.colour_by)
    if embedding.colour_by:
        title += f", colour: {embedding.colour_by}"
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    figure.tight_layout()
    return figure


def analysis_figures(result: AnalysisResult):
    """(file name, function drawing the figure) in reading order; figures are drawn one at a time."""
    figures = [
        ("components_overlay.png", lambda: component_overlay_figure(result.components)),
        ("components_chosen.png", lambda: chosen_components_figure(result.components)),
        ("components_table.png", lambda: component_table_figure(result.components)),
        ("radius.png", lambda: radius_figure(result.radius)),
        ("correlation.png", lambda: correlation_figure(result.correlation, result.correlation_summary)),
        ("pca_variance.png", lambda: pca_variance_figure(result.pca)),
    ]
    for plane in result.planes:
        figures.append((f"plane_{plane.pair.i}_{plane.pair.j}.png", lambda p=plane: component_plane_figure(p)))
    for plane in result.pca_planes:
        stem = f"pca_plane_{plane.axis_a}_{plane.axis_b}"
        figures.append((f"{stem}.png", lambda p=plane: pca_density_figure(p, "centre")))
        if any(w["around"] == "densest cell" for w in plane.windows):
            figures.append((f"{stem}_densest.png", lambda p=plane: pca_density_figure(p, "densest cell")))
    for embedding in result.maps:
        figures.append((f"{embedding.name}.png", lambda e=embedding: embedding_figure(e)))
    return figures


def write_analysis_figures(result: AnalysisResult, folder: str | os.PathLike,
                           progress: Progress | None = None) -> list[Path]:
    """Draw and save every figure of an analysis into ``folder``; returns the paths written, in reading order."""
    folder = Path(folder)
    figures = analysis_figures(result)
    paths = []
    with step(progress, len(figures), "fig", "figures") as advance:
        for name, draw in figures:
            save_figure(draw(), folder / name)
            paths.append(folder / name)
            advance(1)
    return paths
