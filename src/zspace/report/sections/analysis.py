"""The analysis sections (S7-S14): read the saved :class:`AnalysisResult` and embed the figures drawn from it.

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
        if view.analysis is None:
            column.missing = analysis_missing(view)
            return column
        build(view, column)
        return column

    section.__name__ = build.__name__
    section.__doc__ = build.__doc__
    return section


def _add(view: RunView, column: Column, names: list[str], caption: str = "") -> None:
    for name in names:
        picture = view.figure(name, caption)
        if picture is not None:
            column.pictures.append(picture)


def _listed(indices: list[int], limit: int = 12) -> str:
    names = ", ".join(f"z{i}" for i in indices[:limit])
    return names + (f" and {len(indices) - limit} more" if len(indices) > limit else "")


def _group_sentences(components) -> list[str]:
    """What the width groups and centre groups made of the components, naming the criterion of each class."""
    labels, groups, ratio = components.labels, components.width_groups, components.inactive_ratio
    inactive, wide, shifted = components.inactive, components.dominant_by("width"), components.dominant_by("centre")
    words = []
    if len(groups) > 1:
        words.append(f"The half-widths fall into {len(groups)} groups (centres "
                     + ", ".join(f"{g['centre']:.2g}" for g in groups) + ").")
        if wide:
            words.append(f"Dominant by width, in the widest group: {plural(len(wide), 'component')} ({_listed(wide)}).")
    else:
        widest = components.by_half_width[0]
        words.append(f"The half-widths form one group, so no component is dominant by its width: even the widest, "
                     f"z{widest} (half-width {components.half_width[widest]:.2f}), is typical of the others.")
    constant = [i for i in inactive if components.std[i] <= 0 or components.half_width[i] <= 0]
    collapsed = [i for i in inactive if i not in constant]
    if collapsed:
        words.append(f"Inactive (collapsed): {plural(len(collapsed), 'component')} ({_listed(collapsed)}), in a width "
                     f"group below {ratio:g} x the widest group's centre and with a variance under {ratio ** 2:.2g} "
                     "of the live components'.")
    if constant:
        words.append(f"Inactive (constant): {plural(len(constant), 'component')} ({_listed(constant)}).")
    if shifted:
        top, below = components.centre_groups[-1]["centre"], components.centre_groups[-2]["centre"]
        words.append(f"Dominant by centre: {plural(len(shifted), 'component')} ({_listed(shifted)}), whose |centre| "
                     f"is in the group furthest from zero (about {top:.2g}, against {below:.2g} for the rest).")
    typical = [i for i, label in enumerate(labels) if label == "typical"]
    if typical and len(groups) > 1:
        narrow = [i for i in typical if components.half_width[i] < ratio * groups[-1]["centre"]]
        words.append(f"Typical: the other {len(typical)}"
                     + (f"; {len(narrow)} of them ({_listed(narrow)}) are as narrow at the peak as collapsed ones but "
                        f"keep a std of {min(components.std[narrow]):.2f}-{max(components.std[narrow]):.2f}: partly "
                        "active (most images near zero, a few far out)." if narrow else "."))
    return words


@_needs_analysis
def component_section(view: RunView, column: Column) -> None:
    """Per-component distributions, dominant and inactive components, active units (S7)."""
    analysis = view.analysis
    dim, components = analysis.dim, analysis.components
    std, inactive = list(components.std), components.inactive
    active = components.active_units
    words = [f"{plural(analysis.count, 'vector')} of dimension {dim}."]
    if components.labels:
        words += _group_sentences(components)
    words.append(f"By the usual active-unit test (variance over the data above {components.active_threshold:g}, "
                 f"Burda et al. 2016) {len(active)} of {dim} components are active"
                 + ("; collapsed components can keep a small variance above that threshold, which is why "
                    "the group rule counts fewer live ones." if inactive and len(active) > dim - len(inactive)
                    else "."))
    if std:
        widest, narrowest = max(std), min(std)
        words.append(f"Standard deviations run from {narrowest:.2f} to {widest:.2f} "
                     f"(N(0, I) would give 1.00 for every component).")
    column.paragraphs.append(" ".join(words))
    ranked = components.by_half_width[:12]
    if ranked and components.labels:
        wide, shifted = set(components.dominant_by("width")), set(components.dominant_by("centre"))

        def group(i: int) -> str:
            by = ", ".join(name for name, members in (("width", wide), ("centre", shifted)) if i in members)
            return f"{components.labels[i]} (by {by})" if by else components.labels[i]

        rows = [[f"z{i}", f"{components.half_width[i]:.3f}", f"{components.std[i]:.3f}",
                 f"{components.mean[i]:+.3f}", group(i)] for i in ranked]
        column.tables.append(Table(["component", "half width", "std", "centre", "group"], rows,
                                   "Widest components first (the seed's table); all d in metrics.json. Dominant by "
                                   "width: in the widest of several width groups; by centre: in the group of "
                                   "largest |centre|."))
    _add(view, column, view.figures("components"), "")


@_needs_analysis
def radius_section(view: RunView, column: Column) -> None:
    """Radius of the latent vectors against the chi distribution of N(0, I) (S8)."""
    radius = view.analysis.radius
    mean, expected = radius.mean, radius.chi_mean
    ratio = mean / expected if expected else math.nan
    where = ("close to" if abs(ratio - 1) < 0.1 else "inside" if ratio < 1 else "outside")
    column.paragraphs.append(
        f"The vectors' radius |z| is {mean:.2f} on average (std {radius.std:.2f}); N(0, I) in "
        f"{view.analysis.dim} dimensions puts its points at a mean radius of {expected:.2f} (the mean of the chi "
        f"distribution with d = {radius.dim} degrees of freedom, close to sqrt(d - 1/2)). The data sits {where} "
        f"that shell ({ratio:.2f} times its radius), so points drawn from N(0, I) "
        + ("land at the data's distance from the origin." if where == "close to" else
           "land at another distance from the origin than the data."))
    _add(view, column, view.figures("radius"))


@_needs_analysis
def correlation_section(view: RunView, column: Column) -> None:
    """Pairwise correlations over all vectors (S9)."""
    correlation = view.analysis.correlation_summary
    counts = correlation.counts_above
    dim = view.analysis.dim
    pairs = dim * (dim - 1) // 2
    above = {k: int(v) for k, v in counts.items()}
    text = ", ".join(f"{v:,} above {k}" for k, v in sorted(above.items()))
    column.paragraphs.append(f"Of the {pairs:,} pairs of components, {text} in |r| (exact, all vectors).")
    top = correlation.top_pairs[:8]
    if top:
        column.tables.append(Table(["pair", "r"], [[f"z{p.i}, z{p.j}", f"{p.r:+.3f}"] for p in top],
                                   "The strongest correlations."))
    _add(view, column, view.figures("correlation"))


@_needs_analysis
def plane_section(view: RunView, column: Column) -> None:
    """Planes of two components with the statistical vectors, and slices (S10, S11, S14)."""
    planes = view.analysis.planes
    for plane in planes:
        sentence = (f"Plane z{plane.pair.i}-z{plane.pair.j} ({plane.pair.reason}): the slice where every other "
                    f"component is small holds {plural(plane.slice_count, 'vector')}.")
        if plane.slice_note:
            sentence += f" {plane.slice_note}"
        column.paragraphs.append(sentence)
    if not planes:
        column.paragraphs.append("No component planes were drawn for this run.")
    _add(view, column, view.figures("plane_"))


@_needs_analysis
def pca_section(view: RunView, column: Column) -> None:
    """PCA variance and zoomed density planes against a Gaussian null (S12)."""
    pca = view.analysis.pca
    ratios = list(pca.explained_variance_ratio)
    need = pca.components_for(0.9)
    if ratios:
        column.paragraphs.append(
            f"The first principal axis holds {100 * ratios[0]:.1f} % of the variance, the first ten "
            f"{100 * sum(ratios[:10]):.1f} %; {need} of {len(ratios)} axes hold 90 %.")
    _add(view, column, view.figures("pca_variance"))
    _add(view, column, view.figures("pca_plane"))
    _add(view, column, view.figures("pca_zoom"))


@_needs_analysis
def map_section(view: RunView, column: Column) -> None:
    """t-SNE / UMAP maps of a subsample (S13)."""
    maps = view.analysis.maps
    for entry in maps:
        colour = entry.colour_by
        perplexity = entry.settings.get("perplexity")
        column.paragraphs.append(
            f"{entry.method} of {plural(len(entry.rows), 'vector')}"
            + (f", coloured by {colour}" if colour else "")
            + (f", perplexity {perplexity:g}" if isinstance(perplexity, int | float) else "") + ".")
    if not maps:
        column.missing = ("the analysis again with a t-SNE map of 5000 points, replacing the earlier one "
                          "(this analysis drew no map)")
        column.missing_key = "map"
        return
    for method in ("tsne", "umap"):
        _add(view, column, view.figures(method))
