"""Figures of the latent analysis (SPEC S7-S13): results in, matplotlib Figure out; ``write_analysis_figures``
saves them all. Plane figures live in plane_figures.py; docs/analysis.md says how to read each one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from zspace.analysis.components import ComponentStatistics  # noqa: E402
from zspace.analysis.correlation import CorrelationSummary  # noqa: E402
from zspace.analysis.pca import PCAResult  # noqa: E402
from zspace.analysis.radius import RadiusStatistics, chi_counts  # noqa: E402
from zspace.analysis.tsne import EmbeddingMap  # noqa: E402
from zspace.report.figures import save_figure  # noqa: E402
from zspace.report.plane_figures import component_plane_figure, pca_density_figure  # noqa: E402

if TYPE_CHECKING:
    from zspace.analysis.analyze import AnalysisResult


def _centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def component_overlay_figure(components: ComponentStatistics) -> Figure:
    """All d component histograms overlaid on the seed's bins (S7); dominant ones in colour, the rest grey."""
    centres = _centres(components.histogram_edges)
    width = components.histogram_edges[1] - components.histogram_edges[0]
    dominant = {c.index for c in components.dominant}
    figure, ax = plt.subplots(figsize=(8, 4.5))
    for i in range(len(components.mean)):
        if i not in dominant:
            ax.plot(centres, components.histograms[i], color="0.5", linewidth=0.6, alpha=0.5)
    for c in components.dominant[:10]:
        ax.plot(centres, components.histograms[c.index], linewidth=1.4, label=f"component {c.index}")
    used = np.flatnonzero(components.histograms.sum(axis=0) > 0)
    if len(used):
        ax.set_xlim(centres[used[0]] - width, centres[used[-1]] + width)
    title = f"{len(components.mean)} components overlaid (grey), bins of {width:g}"
    if dominant:
        title += f"; {len(dominant)} dominant in colour"
        ax.legend(fontsize=7)
    ax.set(xlabel="component value", ylabel="count per bin", title=title)
    figure.tight_layout()
    return figure


def chosen_components_figure(components: ComponentStatistics, count: int = 6) -> Figure:
    """A few components one by one (the seed's view): the dominant ones first, up to two inactive ones, then
    the most typical ones, each with its mean and half-width marked."""
    chosen = [c.index for c in components.dominant][:count]
    chosen += [i for i in components.inactive[:2] if len(chosen) < count]
    typical = np.argsort(np.abs(components.half_width - np.median(components.half_width)))
    chosen += [int(i) for i in typical if int(i) not in chosen][: max(0, count - len(chosen))]
    columns = min(3, len(chosen))
    rows = -(-len(chosen) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 2.8 * rows), squeeze=False)
    centres = _centres(components.histogram_edges)
    width = components.histogram_edges[1] - components.histogram_edges[0]
    dominant = {c.index for c in components.dominant}
    for ax in axes.flat[len(chosen):]:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen, strict=False):
        counts = components.histograms[i]
        tag = "dominant" if i in dominant else "inactive" if i in components.inactive else "typical"
        colour = {"dominant": "tab:red", "inactive": "tab:gray", "typical": "tab:blue"}[tag]
        ax.bar(centres, counts, width=width, color=colour, alpha=0.7)
        mean, hw = components.mean[i], components.half_width[i]
        ax.axvline(mean, color="black", linewidth=1)
        ax.hlines(counts.max() / 2, mean - hw, mean + hw, color="black", linewidth=1.5)
        used = np.flatnonzero(counts)
        ax.set_xlim(centres[used[0]] - 2 * width, centres[used[-1]] + 2 * width)
        ax.set_title(f"component {i} ({tag})\nmean {mean:+.2f}, hw {hw:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def dominant_table_figure(components: ComponentStatistics, limit: int = 30) -> Figure:
    """The table of dominant components (index, mean, half-width, std, why), at most ``limit`` rows."""
    rows = [[str(c.index), f"{c.mean:+.3f}", f"{c.half_width:.3f}", f"{components.std[c.index]:.3f}", c.why]
            for c in components.dominant[:limit]]
    figure, ax = plt.subplots(figsize=(12, 0.6 + 0.32 * max(len(rows), 1)))
    ax.axis("off")
    median_text = (f"median mean {np.median(components.mean):+.3f}, median half-width "
                   f"{np.median(components.half_width):.3f}")
    if rows:
        table = ax.table(cellText=rows, colLabels=["component", "mean", "half-width", "std", "why"],
                         loc="upper center", cellLoc="left", colWidths=[0.07, 0.07, 0.08, 0.06, 0.72])
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        ax.set_title(f"{len(components.dominant)} dominant components; {median_text}", fontsize=9)
    else:
        ax.set_title(f"no dominant component (no centre or width far from the bulk); {median_text}", fontsize=9)
    return figure


def radius_figure(radius: RadiusStatistics) -> Figure:
    """Radius histograms on each bin width (S8) with the chi distribution of N(0, I_d) drawn over them."""
    figure, axes = plt.subplots(1, len(radius.histograms), figsize=(5.5 * len(radius.histograms), 4), squeeze=False)
    for ax, histogram in zip(axes.flat, radius.histograms, strict=True):
        centres = _centres(histogram.edges)
        ax.bar(centres, histogram.counts, width=histogram.bin_width, color="tab:blue", alpha=0.6,
               label=f"data, N={radius.count}")
        expected = chi_counts(histogram.edges, radius.dim, radius.count)
        ax.stairs(expected, histogram.edges, color="black", linewidth=1.2,
                  label=f"chi, d={radius.dim} (radius of N(0, I))")
        ax.axvline(radius.sqrt_dim, color="tab:red", linestyle="--", linewidth=1,
                   label=f"sqrt(d) = {radius.sqrt_dim:.2f}")
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
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.1, 1]})
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
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.semilogy(axes_numbers, np.maximum(ratio, 1e-12), marker=".", linewidth=0.8)
    left.set(xlabel="PCA axis", ylabel="explained variance ratio", title="variance per axis")
    right.plot(axes_numbers, np.cumsum(ratio), marker=".", linewidth=0.8)
    right.axhline(0.9, color="tab:red", linestyle="--", linewidth=1)
    right.axvline(k90, color="tab:red", linestyle=":", linewidth=1)
    right.set(xlabel="number of axes", ylabel="cumulative ratio", ylim=(0, 1.02),
              title=f"{k90} of {len(ratio)} axes hold 90% of the variance")
    figure.tight_layout()
    return figure


def embedding_figure(embedding: EmbeddingMap, index: dict[str, np.ndarray], color_by: str | None) -> Figure:
    """A t-SNE/UMAP map, coloured by an index column when there is one (categorical: legend; numeric: colour bar)."""
    figure, ax = plt.subplots(figsize=(7, 6.2))
    xy = embedding.coordinates
    size = float(np.clip(20000 / max(len(xy), 1), 0.3, 6))
    column = index.get(color_by) if color_by else None
    title = f"{embedding.method} of {len(xy)} vectors"
    if embedding.pca_components:
        title += f" after PCA to {embedding.pca_components}"
    if embedding.method == "tsne":
        title += f" (perplexity {embedding.settings['perplexity']:g}, exaggeration "
        title += f"{embedding.settings['early_exaggeration']:g})"
    if column is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, linewidths=0, alpha=0.6)
    else:
        values = column[embedding.rows]
        categories = np.unique(values)
        if values.dtype.kind in "iUSOb" and len(categories) <= 20:
            colours = plt.get_cmap("tab20" if len(categories) > 10 else "tab10")
            for k, value in enumerate(categories):
                mask = values == value
                ax.scatter(xy[mask, 0], xy[mask, 1], s=size, linewidths=0, alpha=0.7, color=colours(k),
                           label=str(value))
            ax.legend(title=color_by, fontsize=7, markerscale=max(1, 6 / size), loc="best")
        else:
            points = ax.scatter(xy[:, 0], xy[:, 1], s=size, c=values.astype(float), cmap="viridis", linewidths=0)
            figure.colorbar(points, ax=ax, label=color_by)
        title += f", colour: {color_by}"
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    figure.tight_layout()
    return figure


def write_analysis_figures(result: AnalysisResult, index: dict[str, np.ndarray], folder: str | os.PathLike,
                           color_by: str | None = None) -> list[Path]:
    """Draw and save every figure of an analysis into ``folder``; returns the paths written, in reading order."""
    folder = Path(folder)
    if color_by is None and "label" in index:
        color_by = "label"
    figures: list[tuple[str, Figure]] = [
        ("components_overlay.png", component_overlay_figure(result.components)),
        ("components_chosen.png", chosen_components_figure(result.components)),
        ("components_dominant.png", dominant_table_figure(result.components)),
        ("radius.png", radius_figure(result.radius)),
        ("correlation.png", correlation_figure(result.correlation, result.correlation_summary)),
        ("pca_variance.png", pca_variance_figure(result.pca)),
    ]
    paths = []
    for name, figure in figures:
        save_figure(figure, folder / name)
        paths.append(folder / name)

    def save(name: str, figure: Figure) -> None:  # one at a time: plane figures hold N points
        save_figure(figure, folder / name)
        paths.append(folder / name)

    for plane in result.planes:
        save(f"plane_{plane.pair.i}_{plane.pair.j}.png", component_plane_figure(plane))
    for plane in result.pca_planes:
        save(f"pca_plane_{plane.axis_a}_{plane.axis_b}.png", pca_density_figure(plane))
    for embedding in result.maps:
        suffix = f"_pca{embedding.pca_components}" if embedding.pca_components else ""
        save(f"{embedding.method}{suffix}.png", embedding_figure(embedding, index, color_by))
    return paths
