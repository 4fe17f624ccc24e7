"""The figure that ranks the samplers: FD with its bootstrap interval, and precision/recall/coverage.

One bar per (run, sampler), best (lowest FD) at the top, the reference rows
(held-out images and their reconstructions: references, not floors) in grey; a second panel
shows precision (fidelity), recall and coverage (diversity) of the same rows. A
plain ``matplotlib.figure.Figure`` (no pyplot state), so a web server can draw it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

HELDOUT = "held-out data"
RECONSTRUCTIONS = "held-out reconstructions"


def row_label(row: dict) -> str:
    return " / ".join(str(row[key]) for key in ("run", "sampler") if row.get(key))


def ranking_figure(rows: list[dict], title: str | None = None) -> Figure:
    """FD (log scale) with its interval per row, sorted, and the k-NN fidelity/diversity numbers beside it."""
    rows = sorted((r for r in rows if r.get("fd") is not None), key=lambda r: r["fd"])
    labels = [row_label(r) for r in rows]
    fd = np.array([max(r["fd"], 1e-12) for r in rows])
    low = np.array([r["fd_ci"][0] if r.get("fd_ci") else r["fd"] for r in rows])
    high = np.array([r["fd_ci"][1] if r.get("fd_ci") else r["fd"] for r in rows])
    colours = ["0.6" if r.get("sampler") in (HELDOUT, RECONSTRUCTIONS) else "tab:blue" for r in rows]
    height = 1.2 + 0.38 * len(rows)
    figure = Figure(figsize=(11, height))
    fd_axes, knn_axes = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    y = np.arange(len(rows))
    error = np.vstack([np.clip(fd - low, 0, None), np.clip(high - fd, 0, None)])
    fd_axes.barh(y, fd, xerr=error, color=colours, capsize=3)
    fd_axes.set_yticks(y, labels)
    fd_axes.invert_yaxis()  # best at the top
    fd_axes.set_xscale("log")
    judge = rows[0].get("judge") if rows else None
    space = rows[0].get("feature_space") if rows else None  # a named feature space (DINOv2), not a judge
    fd_axes.set(xlabel=f"FD_{space}: FD in {space} features (lower is better)" if space else
                f"FD in the {judge} judge's features (lower is better)" if judge else "FD",
                title=title or "ranked by FD (error bars: bootstrap interval; grey: references)")
    for key, marker in (("precision", "o"), ("recall", "s"), ("coverage", "^")):
        knn_axes.scatter([r.get(key) if r.get(key) is not None else np.nan for r in rows], y, marker=marker,
                         label=key)
    knn_axes.set(xlim=(-0.02, 1.02), xlabel="share (higher is better)", title="fidelity and diversity")
    knn_axes.legend(loc="lower right", fontsize="small")
    knn_axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure
