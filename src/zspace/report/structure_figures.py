"""Figures of the structure analysis (filaments and voids against a null) and of its link to generation.

Matplotlib ``Figure`` objects only (no pyplot state), drawn from the saved results.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from zspace.analysis.structure.link import link
from zspace.analysis.structure.link_summary import GenerationLink
from zspace.analysis.structure.result import StructureResult
from zspace.errors import ZspaceError
from zspace.report.figures import save_figure


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


def link_figure(samples: Mapping[str, tuple[np.ndarray, np.ndarray]], quality_label: str = "quality score",
                threshold: float = 1.0, title: str = "") -> Figure:
    """Quality against void score for each sampler (log x; the dashed line is the void threshold).

    ``samples``: sampler name -> (void scores, quality scores). Left: the points, with each sampler's rho in
    the legend. Right: each sampler's share of points in voids. No pyplot state: the caller saves the Figure.
    """
    if not samples:
        raise ZspaceError("link_figure needs at least one sampler's (void scores, quality scores)")
    figure = Figure(figsize=(10.5, 4.2))
    scatter, bars = figure.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    names, shares = [], []
    for name, (voids, quality) in samples.items():
        result = link(voids, quality, threshold)
        voids = np.asarray(voids, dtype=np.float64).ravel()
        quality = np.asarray(quality, dtype=np.float64).ravel()
        shown = np.isfinite(voids) & np.isfinite(quality) & (voids > 0)
        scatter.scatter(voids[shown], quality[shown], s=6, alpha=0.5,
                        label=f"{name}: ρ = {result.rho:+.2f} (p = {result.p_value:.2g}, n = {result.count})")
        names.append(name)
        shares.append(result.void_share)
    scatter.axvline(threshold, color="0.3", linestyle="--", linewidth=1)
    scatter.set(xscale="log", xlabel="void score: nearest-data distance / data's typical neighbour distance",
                ylabel=quality_label, title=title or "decoded quality against distance from the data")
    scatter.legend(fontsize=7, loc="best")
    bars.barh(np.arange(len(names)), shares, color="0.5")
    bars.set_yticks(np.arange(len(names)), labels=names)
    bars.set(xlim=(0, 1), xlabel=f"share of points in voids (score > {threshold:g})", title="in voids")
    figure.tight_layout()
    return figure


def link_figure_name(position: int, quality: str) -> str:
    """structure_link.png for the primary (first) quality, structure_link_<quality>.png for the others."""
    return "structure_link.png" if position == 0 else f"structure_link_{quality}.png"


def link_figures(found: GenerationLink) -> dict[str, Figure]:
    """structure_link.png (the primary quality) and structure_link_<quality>.png for each other one."""
    out = {}
    for k, quality in enumerate(found.qualities):
        out[link_figure_name(k, quality)] = link_figure({s.name: (s.void, s.quality[quality]) for s in found.samplers},
                                quality_label=f"{quality.replace('_', ' ')} (higher: worse)",
                                title=f"{quality.replace('_', ' ')} against void score, "
                                      f"{found.data_points} data latents")
    return out


def write_structure_figures(result: StructureResult | None, found: GenerationLink | None,
                            folder: str | os.PathLike) -> list[Path]:
    """figures/structure.png (when measured) and the link's figures/structure_link*.png; the paths written."""
    folder = Path(folder)
    figures = {"structure.png": structure_figure(result)} if result is not None else {}
    if found is not None and found.samplers:
        figures.update(link_figures(found))
    for name, figure in figures.items():
        save_figure(figure, folder / name)
    return [folder / name for name in figures]
