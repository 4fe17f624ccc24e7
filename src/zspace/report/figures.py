"""Figures: each function takes results and returns a matplotlib Figure; nothing here trains or reads runs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from zspace.io import atomic_path
from zspace.run import Run
from zspace.training.history import read_history


def save_figure(figure: Figure, path: str | os.PathLike, dpi: int = 110) -> None:
    """Write ``figure`` as a PNG, atomically. Figures are plain ``Figure`` objects (no pyplot state, no
    global backend): a web server can draw them in any thread, and nothing needs closing."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")


def write_loss_figure(run: Run) -> Path | None:
    """RUN/figures/loss.png drawn from RUN/history.csv; None (nothing written) when there is no history yet."""
    history = read_history(run.history_file)
    if not history:
        return None
    save_figure(loss_curves_figure(history), run.loss_figure_file)
    return run.loss_figure_file


def loss_curves_figure(history: list[dict[str, float]]) -> Figure:
    """Train and validation loss per epoch, and the KL term on its own axis for a VAE."""
    epochs = [row["epoch"] for row in history]
    has_kl = any(row.get("train_kl", 0.0) > 0 for row in history)
    figure = Figure(figsize=(10 if has_kl else 5.5, 3.8))
    axes = figure.subplots(1, 2 if has_kl else 1, squeeze=False)
    ax = axes[0, 0]
    for key, label in (("train_loss", "train"), ("val_loss", "validation")):
        values = [row.get(key, np.nan) for row in history]
        ax.plot(epochs, values, marker="o", label=label)
    ax.set(xlabel="epoch", ylabel="loss per image", title="total loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend()
    if has_kl:
        ax = axes[0, 1]
        for key, label in (("train_reconstruction", "reconstruction (BCE)"), ("train_kl", "KL")):
            ax.plot(epochs, [row.get(key, np.nan) for row in history], marker="o", label=label)
        ax.set(xlabel="epoch", ylabel="per image (train)", title="loss terms", yscale="log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    figure.tight_layout()
    return figure


def image_panels_figure(panels: list[tuple[str, np.ndarray]], columns: int = 1) -> Figure:
    """Several image grids (uint8 H, W, C arrays) side by side, each under its title."""
    rows = -(-len(panels) // columns)
    first = panels[0][1]
    aspect = first.shape[0] / first.shape[1]
    figure = Figure(figsize=(5.2 * columns, 5.2 * aspect * rows + 0.5))
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (title, picture) in zip(axes.flat, panels, strict=False):
        ax.imshow(picture, cmap="gray" if picture.ndim == 2 else None, interpolation="nearest")
        ax.set_title(title, fontsize=11)
    figure.tight_layout()
    return figure
