"""The structure verdict as a figure: every test's distance from its null, and the intrinsic dimensions.

Matplotlib ``Figure`` objects only (no pyplot state); the caller saves them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from zspace.analysis.structure.result import StructureResult

if TYPE_CHECKING:
    from zspace.analysis.structure.link_summary import GenerationLink


def structure_figure(result: StructureResult, title: str = "") -> Figure:
    """Left: each test's z-score, (data - null mean) / null std, on a symmetric log axis, significant ones
    in colour. Right: TwoNN and MLE intrinsic dimension of the data beside the null's mean and std."""
    tests = result.tests
    height = max(3.5, 0.22 * len(tests) + 1.2)
    figure = Figure(figsize=(11, height))
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [2.4, 1]})
    z = np.array([t.z_score for t in tests])
    z = np.where(np.isfinite(z), z, 0.0)
    colours = ["tab:red" if t.significant else "0.6" for t in tests]
    rows = np.arange(len(tests))
    left.barh(rows, z, color=colours)
    left.set_yticks(rows, labels=[t.name for t in tests], fontsize=7)
    left.invert_yaxis()
    left.axvline(0, color="0.2", linewidth=0.8)
    left.set_xscale("symlog", linthresh=3)
    left.set(xlabel="z = (data - null mean) / null std   (red: significant after correction)",
             title=title or f"{result.points} points, d = {result.dim}: data against "
                            f"{result.settings.get('null_draws')} Gaussian null draws")
    keys = ["twonn", "mle"]
    positions = np.arange(len(keys))
    right.bar(positions - 0.2, [result.intrinsic_dimension[k] for k in keys], width=0.4, label="data")
    right.bar(positions + 0.2, [result.null_intrinsic_dimension[k] for k in keys], width=0.4,
              yerr=[result.null_intrinsic_dimension_std[k] for k in keys], label="Gaussian null", color="0.6")
    right.set_xticks(positions, labels=["TwoNN", "MLE"])
    right.set(ylabel="intrinsic dimension",
              title=f"PCA: {result.intrinsic_dimension['pca_90']} axes for 90%, "
                    f"{result.intrinsic_dimension['pca_95']} for 95%")
    right.legend(fontsize=8)
    figure.tight_layout()
    return figure


def write_structure_figures(result: StructureResult | None, link: GenerationLink | None,
                            folder: str | os.PathLike) -> list[Path]:
    """figures/structure.png (when measured) and the link's figures/structure_link*.png; the paths written."""
    from zspace.report.figures import save_figure

    folder = Path(folder)
    figures = {"structure.png": structure_figure(result)} if result is not None else {}
    if link is not None and link.samplers:
        figures.update(link.figures())
    for name, figure in figures.items():
        save_figure(figure, folder / name)
    return [folder / name for name in figures]
