"""The analysis sections (S7-S14): read metrics.json and embed the figures ``zspace analyze`` drew.

Every sentence is built from this run's numbers. A run without an analysis gets a
column that names the command to run; the report never computes one itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from zspace.report.sections.base import Column, RunView, Table, analysis_missing, plural


def _needs_analysis(build: Callable[[RunView, Column], None]) -> Callable[[RunView], Column]:
    def section(view: RunView) -> Column:
        column = Column()
        if view.metrics is None:
            column.missing = analysis_missing(view)
            return column
        build(view, column)
        return column

    section.__name__ = build.__name__
    section.__doc__ = build.__doc__
    return section


def _figures(view: RunView, prefix: str) -> list[str]:
    """Names under analysis/figures/ listed in metrics.json that start with ``prefix``."""
    names = [name.split("/", 1)[-1] for name in view.metric("figures", default=[]) or []]
    return [name for name in names if name.startswith(prefix)]


def _add(view: RunView, column: Column, names: list[str], caption: str = "") -> None:
    for name in names:
        picture = view.figure(name, caption)
        if picture is not None:
            column.pictures.append(picture)


@_needs_analysis
def component_section(view: RunView, column: Column) -> None:
    """Per-component distributions, dominant and inactive components, active units (S7)."""
    dim = int(view.metric("dim"))
    components = view.metric("components", default={})
    std = components.get("std", [])
    active = components.get("active_units", {})
    inactive = components.get("inactive", [])
    dominant = components.get("dominant", [])
    words = [f"{plural(view.metric('n'), 'vector')} of dimension {dim}."]
    if dominant:
        listed = ", ".join(f"z{d['index']}" for d in dominant[:12])
        more = f" and {len(dominant) - 12} more" if len(dominant) > 12 else ""
        words.append(f"The widths fall into groups: {plural(len(dominant), 'component')} form the dominant "
                     f"(live) group ({listed}{more}), {len(inactive)} a collapsed (inactive) group.")
    else:
        words.append("No component stands out from the others: their widths form one group"
                     + (f", apart from {len(inactive)} collapsed (inactive) ones." if inactive else "."))
    if active:
        words.append(f"By the usual active-unit test (variance over the data above {active['threshold']:g}, "
                     f"Burda et al. 2016) {active['count']} of {dim} components are active"
                     + ("; collapsed components can keep a small variance above that threshold, which is why "
                        "the group rule counts fewer live ones." if inactive and active["count"] > dim - len(inactive)
                        else "."))
    if std:
        widest, narrowest = max(std), min(std)
        words.append(f"Standard deviations run from {narrowest:.2f} to {widest:.2f} "
                     f"(N(0, I) would give 1.00 for every component).")
    column.paragraphs.append(" ".join(words))
    ranked = components.get("ranked_by_half_width", [])[:12]
    if ranked:
        marks = {d["index"] for d in dominant}
        rows = [[f"z{r['index']}", f"{r['half_width']:.3f}", f"{r['mean']:+.3f}",
                 r.get("label") or ("dominant" if r["index"] in marks else "")] for r in ranked]
        column.tables.append(Table(["component", "half width", "centre", "group"], rows,
                                   "Widest components first (the seed's table); all d in metrics.json."))
    _add(view, column, _figures(view, "components"), "")


@_needs_analysis
def radius_section(view: RunView, column: Column) -> None:
    """Radius of the latent vectors against the chi distribution of N(0, I) (S8)."""
    radius = view.metric("radius", default={})
    mean, root = radius.get("mean", math.nan), radius.get("sqrt_dim", math.nan)
    ratio = mean / root if root else math.nan
    where = ("close to" if abs(ratio - 1) < 0.1 else "inside" if ratio < 1 else "outside")
    column.paragraphs.append(
        f"The vectors' radius |z| is {mean:.2f} on average (std {radius.get('std', math.nan):.2f}); N(0, I) in "
        f"{view.metric('dim')} dimensions puts its points at about sqrt(d) = {root:.2f}. The data sits {where} "
        f"that shell ({ratio:.2f} times its radius), so points drawn from N(0, I) "
        + ("land at the data's distance from the origin." if where == "close to" else
           "land at another distance from the origin than the data."))
    _add(view, column, _figures(view, "radius"))


@_needs_analysis
def correlation_section(view: RunView, column: Column) -> None:
    """Pairwise correlations over all vectors (S9)."""
    correlation = view.metric("correlation", default={})
    counts = correlation.get("counts_above", {})
    dim = int(view.metric("dim"))
    pairs = dim * (dim - 1) // 2
    above = {k: int(v) for k, v in counts.items()}
    text = ", ".join(f"{v:,} above {k}" for k, v in sorted(above.items()))
    column.paragraphs.append(f"Of the {pairs:,} pairs of components, {text} in |r| (exact, all vectors).")
    top = correlation.get("top_pairs", [])[:8]
    if top:
        column.tables.append(Table(["pair", "r"], [[f"z{p['i']}, z{p['j']}", f"{p['r']:+.3f}"] for p in top],
                                   "The strongest correlations."))
    _add(view, column, _figures(view, "correlation"))


@_needs_analysis
def plane_section(view: RunView, column: Column) -> None:
    """Planes of two components with the statistical vectors, and slices (S10, S11, S14)."""
    planes = view.metric("planes", default=[])
    for plane in planes:
        count = plane.get("slice_count", 0)
        sentence = (f"Plane z{plane['i']}-z{plane['j']} ({plane.get('reason', '')}): the slice where every other "
                    f"component is small holds {plural(count, 'vector')}.")
        if plane.get("slice_note"):
            sentence += f" {plane['slice_note']}"
        column.paragraphs.append(sentence)
    if not planes:
        column.paragraphs.append("No component planes were drawn for this run.")
    _add(view, column, _figures(view, "plane_"))


@_needs_analysis
def pca_section(view: RunView, column: Column) -> None:
    """PCA variance and zoomed density planes against a Gaussian null (S12)."""
    pca = view.metric("pca", default={})
    ratios = pca.get("explained_variance_ratio", [])
    need = pca.get("components_for_90pct")
    if ratios:
        column.paragraphs.append(
            f"The first principal axis holds {100 * ratios[0]:.1f} % of the variance, the first ten "
            f"{100 * sum(ratios[:10]):.1f} %; {need} of {len(ratios)} axes hold 90 %.")
    _add(view, column, _figures(view, "pca_variance"))
    _add(view, column, _figures(view, "pca_plane"))
    _add(view, column, _figures(view, "pca_zoom"))


@_needs_analysis
def map_section(view: RunView, column: Column) -> None:
    """t-SNE / UMAP maps of a subsample (S13)."""
    maps = view.metric("maps", default=[])
    for entry in maps:
        colour = entry.get("colour_by") or entry.get("color_by")
        column.paragraphs.append(
            f"{entry['method']} of {plural(entry['points'], 'vector')}"
            + (f", coloured by {colour}" if colour else "")
            + (f", perplexity {entry['perplexity']:g}" if "perplexity" in entry else "") + ".")
    if not maps:
        column.missing = f"zspace analyze {view.run.path} --force --tsne 5000 (this analysis drew no map)"
        return
    for method in ("tsne", "umap"):
        _add(view, column, _figures(view, method))
