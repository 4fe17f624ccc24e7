"""Figures of the structure analysis (filaments and voids against a null) and of its link to generation.

Matplotlib ``Figure`` objects only (no pyplot state), drawn from the saved results.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from zspace.analysis.structure.claims import FILAMENT_MARGIN
from zspace.analysis.structure.link import link
from zspace.analysis.structure.link_depth import depth_bins, depth_summary
from zspace.analysis.structure.link_summary import ENCODER_SPACE, GenerationLink
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


SCALE_PANELS = (("dimension", "lower_dimension", "local dimension (MLE with k neighbours)"),
                ("anisotropy", None, "local anisotropy: median log λ1/λ2"),
                ("excess_anisotropy", "filaments", "excess anisotropy over an isotropic cloud of that dimension"),
                ("void_fraction", "voids_beyond_null", "fitted-Gaussian probes farther than the radius at k"))


def _band(axes, scales: list[int], draws: list[list[float]], colour: str, label: str) -> None:
    """The draws' range (shaded) and mean (dashed) at each scale."""
    if not draws:
        return
    values = np.asarray(draws, dtype=np.float64)
    axes.fill_between(scales, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.25, linewidth=0)
    axes.plot(scales, values.mean(axis=0), color=colour, linestyle="--", linewidth=1.2,
              label=f"{label} ({len(values)} draws: mean, range)")


def scale_figure(result: StructureResult, title: str = "") -> Figure:
    """Each scale curve against k (log axis): the data, the Gaussian null's and the mixture null's draws (mean and
    range), the scales where a claim is found circled, the claim's status in each panel's title. The anisotropy
    panel adds an isotropic cloud of the data's own dimension (dotted), the excess panel the filament margin."""
    profile = result.scales
    if profile is None:
        raise ZspaceError("scale_figure needs a structure result with scale curves (too few points for any scale)")
    figure = Figure(figsize=(11, 7.5))
    panels = figure.subplots(2, 2).ravel()
    scales = profile.scales
    for axes, (name, claim_name, label) in zip(panels, SCALE_PANELS, strict=True):
        curve = profile.curve(name)
        _band(axes, scales, curve.gaussian, "0.45", "Gaussian null")
        _band(axes, scales, curve.mixture, "tab:green", f"mixture of {profile.mixture_components} Gaussians")
        axes.plot(scales, curve.data, color="tab:blue", marker="o", markersize=4, label="data")
        heading = label
        if name == "anisotropy":
            excess = profile.curve("excess_anisotropy").data
            axes.plot(scales, np.asarray(curve.data) - np.asarray(excess), color="tab:blue", linestyle=":",
                      label="isotropic cloud of the data's dimension")
        if claim_name is not None and claim_name in result.claims:
            claim = result.claims[claim_name]
            found = [j for j, k in enumerate(scales) if k in claim.evidence.get("scales_found", [])]
            axes.plot([scales[j] for j in found], [curve.data[j] for j in found], linestyle="none", marker="o",
                      markersize=11, markerfacecolor="none", markeredgecolor="tab:red", label="claim found")
            where = f" at k = {claim.scale}" if claim.scale is not None else ""
            heading = f"{claim_name.replace('_', ' ')}: {claim.status}{where}\n{label}"
        if name == "excess_anisotropy":
            axes.axhline(FILAMENT_MARGIN, color="tab:red", linestyle=":", linewidth=1, label="filament margin log 1.5")
        axes.set_xscale("log", base=2)
        axes.set_xticks(scales, labels=[str(k) for k in scales])
        axes.set(xlabel="k (neighbours)", title=heading)
        axes.title.set_fontsize(9)
        axes.legend(fontsize=6, loc="best")
    figure.suptitle(title or f"{result.points} points, d = {result.dim}: structure against scale", fontsize=10)
    figure.tight_layout()
    return figure


def structure_figure_names(result: StructureResult | None) -> list[str]:
    """The structure analysis' figures, by file name: structure.png, and structure_scales.png with scale curves."""
    if result is None:
        return []
    return ["structure.png"] + (["structure_scales.png"] if result.scales is not None else [])


def link_figure(samples: Mapping[str, tuple[np.ndarray, np.ndarray]], quality_label: str = "quality score",
                threshold: float = 1.0, title: str = "") -> Figure:
    """Quality against void score for each sampler (log x; the dashed line is the void threshold).

    ``samples``: sampler name -> (void scores, quality scores). Left: the points, with each sampler's rho in
    the legend. Middle: each sampler's median quality within quantile bins of the pooled void score (matched
    depth; a star marks a bin where the samplers differ, Kruskal-Wallis). Right: each sampler's share of points
    in voids. No pyplot state: the caller saves the Figure.
    """
    if not samples:
        raise ZspaceError("link_figure needs at least one sampler's (void scores, quality scores)")
    figure = Figure(figsize=(14, 4.2))
    scatter, matched, bars = figure.subplots(1, 3, gridspec_kw={"width_ratios": [2.2, 1.6, 1]})
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
    bins = depth_bins(samples)
    level = depth_summary(bins)["level"]
    positions = np.arange(len(bins))
    for name in names:
        matched.plot(positions, [b["median_quality"][name] if b["median_quality"][name] is not None else np.nan
                                 for b in bins], marker="o", label=name)
    for position, found in zip(positions, bins, strict=True):
        if found["p_value"] is not None and found["p_value"] < level:
            matched.annotate("*", (position, 1.0), xycoords=("data", "axes fraction"), ha="center", va="top")
    matched.set_xticks(positions, labels=[f"{b['void_low']:.2g}-{b['void_high']:.2g}" for b in bins], fontsize=7)
    matched.set(xlabel="void score bin (pooled quantiles)", ylabel=f"median {quality_label}",
                title="at matched void depth (*: samplers differ)")
    matched.legend(fontsize=7, loc="best")
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
        space = " (encoder-space)" if quality in ENCODER_SPACE else ""
        out[link_figure_name(k, quality)] = link_figure({s.name: (s.void, s.quality[quality]) for s in found.samplers},
                                quality_label=f"{quality.replace('_', ' ')} (higher: worse)",
                                title=f"{quality.replace('_', ' ')}{space} against void score, "
                                      f"{found.data_points} data latents")
    return out


def write_structure_figures(result: StructureResult | None, found: GenerationLink | None,
                            folder: str | os.PathLike) -> list[Path]:
    """figures/structure.png and structure_scales.png (when measured) and the link's figures/structure_link*.png;
    the paths written."""
    folder = Path(folder)
    drawers = {"structure.png": structure_figure, "structure_scales.png": scale_figure}
    figures = {name: drawers[name](result) for name in structure_figure_names(result)}
    if found is not None and found.samplers:
        figures.update(link_figures(found))
    for name, figure in figures.items():
        save_figure(figure, folder / name)
    return [folder / name for name in figures]
