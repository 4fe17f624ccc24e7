"""Figures of the latent components (SPEC S7): the overlay, a few one by one, and the seed's ranked table.

Live components come first everywhere: dominant ones in colour, typical ones in
blue, inactive (collapsed or constant) ones in light grey behind them.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from zspace.analysis.components import ComponentStatistics

CLASS_COLOURS = {"dominant": "tab:red", "typical": "tab:blue", "inactive": "0.65"}
TABLE_ROWS = 32


def _centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def _counts(components: ComponentStatistics) -> str:
    labels = components.labels
    return (f"{labels.count('dominant')} dominant, {labels.count('typical')} typical, "
            f"{labels.count('inactive')} inactive; {len(components.active_units)} active units "
            f"(variance > {components.active_threshold:g})")


def _x_limits(ax, centres: np.ndarray, counts: np.ndarray, width: float) -> None:
    used = np.flatnonzero(counts > 0)
    if len(used):
        ax.set_xlim(centres[used[0]] - 2 * width, centres[used[-1]] + 2 * width)


def component_overlay_figure(components: ComponentStatistics) -> Figure:
    """All d histograms on the seed's bins: inactive light grey at the back, typical blue, dominant in colour."""
    centres = _centres(components.histogram_edges)
    width = components.histogram_edges[1] - components.histogram_edges[0]
    figure = Figure(figsize=(8, 4.5))
    ax = figure.subplots()
    labels = components.labels
    palette = colormaps["tab10"]
    dominant = [i for i in components.live_first if labels[i] == "dominant"]
    for i in reversed(components.live_first):  # inactive drawn first, so live ones lie on top
        if labels[i] == "inactive":
            ax.plot(centres, components.histograms[i], color=CLASS_COLOURS["inactive"], linewidth=0.6, alpha=0.6)
        elif labels[i] == "typical":
            ax.plot(centres, components.histograms[i], color="tab:blue", linewidth=0.7, alpha=0.45)
    for k, i in enumerate(dominant):
        ax.plot(centres, components.histograms[i], color=palette(k % 10), linewidth=1.3,
                label=f"component {i}" if k < 10 else None)
    live = [i for i in range(len(labels)) if labels[i] != "inactive"] or list(range(len(labels)))
    _x_limits(ax, centres, components.histograms[live].sum(axis=0), width)
    ax.set(xlabel="component value", ylabel=f"count per bin of {width:g}",
           title=f"{len(labels)} components: {_counts(components)}")
    ax.title.set_fontsize(9)
    if dominant:
        ax.legend(fontsize=7, title="dominant" + (" (first 10)" if len(dominant) > 10 else ""))
    figure.tight_layout()
    return figure


def chosen_components_figure(components: ComponentStatistics, count: int = 6) -> Figure:
    """A few components one by one (the seed's view): live ones first (widest first), then up to two inactive
    ones, each with its mean (line) and half-width (bar at half maximum)."""
    order = components.live_first
    live = [i for i in order if components.labels[i] != "inactive"]
    inactive = [i for i in order if components.labels[i] == "inactive"]
    chosen = live[: count - min(2, len(inactive))] if inactive else live[:count]
    chosen += inactive[: count - len(chosen)]
    columns = min(3, len(chosen))
    rows = -(-len(chosen) // columns)
    figure = Figure(figsize=(3.6 * columns, 2.8 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    centres = _centres(components.histogram_edges)
    width = components.histogram_edges[1] - components.histogram_edges[0]
    for ax in axes.flat[len(chosen):]:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen, strict=False):
        counts = components.histograms[i]
        tag = components.labels[i]
        ax.bar(centres, counts, width=width, color=CLASS_COLOURS[tag], alpha=0.75)
        mean, hw = components.mean[i], components.half_width[i]
        ax.axvline(mean, color="black", linewidth=1)
        ax.hlines(counts.max() / 2, mean - hw, mean + hw, color="black", linewidth=1.5)
        _x_limits(ax, centres, counts, width)
        ax.set_title(f"component {i} ({tag})\nmean {mean:+.2f}, half-width {hw:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
    figure.suptitle(f"live components first; {_counts(components)}", fontsize=9)
    figure.tight_layout()
    return figure


def _table(ax, components: ComponentStatistics, order: list[int], title: str) -> None:
    shown = order[:TABLE_ROWS]
    cells = [[str(i), f"{components.mean[i]:+.3f}", f"{components.half_width[i]:.3f}", f"{components.std[i]:.3f}",
              components.labels[i]] for i in shown]
    table = ax.table(cellText=cells, colLabels=["component", "centre", "half-width", "std", "class"],
                     loc="upper center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    for row, i in enumerate(shown, start=1):
        if components.labels[i] == "dominant":
            for column in range(5):
                table[row, column].set_facecolor("#fbd5d5")
                table[row, column].get_text().set_fontweight("bold")
        elif components.labels[i] == "inactive":
            for column in range(5):
                table[row, column].get_text().set_color("0.5")
    more = f" (first {TABLE_ROWS} of {len(order)})" if len(order) > TABLE_ROWS else ""
    ax.set_title(title + more, fontsize=9)
    ax.axis("off")


def component_table_figure(components: ComponentStatistics) -> Figure:
    """The seed's table, ranked by half-width (left) and by |centre| (right); dominant rows marked in red."""
    rows = min(TABLE_ROWS, len(components.mean))
    figure = Figure(figsize=(11, 0.9 + 0.19 * (rows + 1)))
    left, right = figure.subplots(1, 2)
    _table(left, components, components.by_half_width, "ranked by half-width")
    _table(right, components, components.by_abs_centre, "ranked by |centre|")
    figure.suptitle(f"components: {_counts(components)}; dominant rows in red, inactive in grey", fontsize=9)
    return figure
