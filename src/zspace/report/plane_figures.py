"""Plane figures of the latent cloud (SPEC S10, S11, S12, S14): results in, matplotlib Figure out."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from zspace.analysis.planes import ComponentPlane, PCAPlane
from zspace.analysis.zooms import count_inside

STATISTICAL_STYLE = {4.0: ("tab:red", "x"), 1.5: ("tab:orange", "+")}


def component_plane_figure(plane: ComponentPlane) -> Figure:
    """Left: a subsample on the plane of components (i, j) with the origin, statistical vectors and the chosen
    point (S10, S14). Right: the slice, vectors whose other components are all below the threshold (S11)."""
    i, j = plane.pair.i, plane.pair.j
    figure = Figure(figsize=(11, 5))
    left, right = figure.subplots(1, 2)
    alpha = float(np.clip(3000 / max(len(plane.points), 1), 0.05, 0.6))
    left.scatter(plane.points[:, 0], plane.points[:, 1], s=2, alpha=alpha, color="tab:blue", linewidths=0,
                 label=f"{len(plane.points)} vectors (subsample)", zorder=3)  # data above the statistical vectors
    for bound, vectors in plane.statistical.items():
        colour, marker = STATISTICAL_STYLE.get(bound, ("tab:purple", "1"))
        left.scatter(vectors[:, 0], vectors[:, 1], s=18, color=colour, marker=marker,
                     label=f"statistical, uniform in [-{bound:g}, {bound:g}]^d")
    left.scatter([0], [0], s=80, edgecolors="black", marker="o", facecolors="none", linewidths=1.5, label="origin",
                 zorder=4)
    left.scatter([plane.chosen_point[0]], [plane.chosen_point[1]], s=160, color="gold", marker="*",
                 edgecolors="black", linewidths=0.7, label=f"data point, row {plane.chosen_row}", zorder=5)
    left.set(xlabel=f"component {i}", ylabel=f"component {j}", title=f"components ({i}, {j}): {plane.pair.reason}")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=7)  # below: keeps the cloud clear
    left.set_aspect("equal", adjustable="datalim")
    t = plane.slice_threshold
    rule = (f"all other |z_k - mean_k| < {t:g} std_k" if plane.slice_units == "spread"
            else f"all other |z_k| < {t:g}")
    if len(plane.slice_points):
        right.scatter(plane.slice_points[:, 0], plane.slice_points[:, 1], s=3, alpha=0.5, linewidths=0,
                      color="tab:green")
        right.set_aspect("equal", adjustable="datalim")
    else:
        right.text(0.5, 0.5, "slice " + plane.slice_note.replace("; ", ";\n"), ha="center", va="center",
                   transform=right.transAxes, fontsize=8, wrap=True)
        right.set_xlim(left.get_xlim())
        right.set_ylim(left.get_ylim())
    right.scatter([0], [0], s=80, edgecolors="black", marker="o", facecolors="none", linewidths=1.5)
    right.set(xlabel=f"component {i}", ylabel=f"component {j}",
              title=f"slice: {plane.slice_count} vectors with {rule}")
    right.title.set_fontsize(9)
    figure.tight_layout()
    return figure


def _label(window: dict) -> str:
    if window["around"] == "full range":
        return "full range"
    unit = " std" if window["units"] == "spread" else ""
    return f"side {window['side']:g}{unit}"


def pca_density_figure(plane: PCAPlane, around: str = "centre", bins: int | None = None) -> Figure:
    """All N centred vectors on PCA axes (a, b) as 2-D histograms with a log colour scale, from the full range
    down to small windows (S12) around the centre or around the densest cell; the bottom row is a Gaussian with
    the same covariance and N (X3 null): structure that the null also shows is not structure of the data."""
    windows = [w for w in plane.windows if w["around"] in ("full range", around)] or [
        {"around": "full range", "side": None, "units": "spread", "x": [-1.0, 1.0], "y": [-1.0, 1.0]}]
    figure = Figure(figsize=(3.1 * len(windows), 6.6))
    axes = figure.subplots(2, len(windows), squeeze=False)
    for column, window in enumerate(windows):
        xlim, ylim = window["x"], window["y"]
        rows = [(plane.points, "data"), (plane.null_points, "Gaussian null")]
        # bins per window from the points inside it (about 4 per bin on average, 20..200 a side): a fixed grid
        # would turn small windows into Poisson speckle that hides any filament
        side = bins or int(np.clip(np.sqrt(count_inside(plane.points, window) / 4), 20, 200))
        histograms = [np.histogram2d(p[:, 0], p[:, 1], bins=side, range=[xlim, ylim]) for p, _ in rows]
        # one colour scale per column, so data and null at the same window compare bin for bin
        top = max(1.0, *(h[0].max() for h in histograms))
        for row, ((_, name), (counts, xedges, yedges)) in enumerate(zip(rows, histograms, strict=True)):
            ax = axes[row, column]
            if counts.max() > 0:
                # vmin below 1 so that a bin with one point is coloured; empty bins are masked by LogNorm
                ax.pcolormesh(xedges, yedges, counts.T, norm=LogNorm(vmin=0.7, vmax=top), cmap="viridis",
                              rasterized=True)
            else:
                ax.text(0.5, 0.5, "no point in this window", ha="center", va="center", transform=ax.transAxes,
                        fontsize=8)
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            ax.set_facecolor("white")  # empty bins (voids) are white, apart from every coloured count
            ax.set_title(f"{name}: {_label(window)}\n{int(counts.sum())} points, {side}x{side} bins", fontsize=8)
            ax.tick_params(labelsize=7)
            if column == 0:
                ax.set_ylabel(f"PCA axis {plane.axis_b}")
            if row == 1:
                ax.set_xlabel(f"PCA axis {plane.axis_a}")
    where = "around the centre (0, 0)"
    marked = [w for w in windows if "densest_cell" in w and not w["densest_cell_apart_from_centre"]]
    if marked:
        where += " (the densest cell, at ({:.3g}, {:.3g}), lies in the smallest window)".format(
            *marked[0]["densest_cell"])
    cells = [w for w in windows if w["around"] == "densest cell"]
    if cells:
        x, y = cells[0]["centre"]
        where = f"around the densest cell, centred at ({x:.3g}, {y:.3g})"
    figure.suptitle(f"centred vectors on PCA axes ({plane.axis_a}, {plane.axis_b}), log density; zooms {where}",
                    fontsize=10)
    figure.tight_layout()
    return figure
