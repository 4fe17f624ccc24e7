"""The run's headline numbers for the explorer's side panel, from the saved analysis' typed fields.

Any field may be absent (no analysis yet, or one the explorer could not read): each line is shown
only when its numbers are there.
"""

from __future__ import annotations

import math

VERDICT_CHARACTERS = 600  # the sidebar shows this much of a verdict; longer ones end at a word, with an ellipsis


def _shorten(text: str, limit: int = VERDICT_CHARACTERS) -> str:
    """``text`` whole when it fits, else cut at the last word boundary before ``limit`` with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def headline(analysis: dict, count: int, dim: int) -> list[dict[str, str]]:
    """[{"name", "value"}] lines: size, radius vs N(0, I), PCA, correlations, active units, structure verdict.

    ``analysis``: field name -> typed value of the saved AnalysisResult (``zspace.results.read_fields``).
    """
    lines = [{"name": "latent vectors", "value": f"{count:,} x {dim}"}]
    radius = analysis.get("radius")
    if radius is not None and math.isfinite(radius.mean) and radius.dim > 0:
        extra = f", mode {radius.mode:.2f}" if math.isfinite(radius.mode) else ""
        lines.append({"name": "radius", "value": f"mean {radius.mean:.2f}{extra} "
                                                 f"(N(0, I): mean {radius.chi_mean:.2f})"})
    pca = analysis.get("pca")
    if pca is not None and len(pca.explained_variance_ratio) >= 2:
        ratio = pca.explained_variance_ratio
        lines.append({"name": "PCA axes 1, 2", "value": f"{100 * ratio[0]:.1f} % + {100 * ratio[1]:.1f} % of variance"})
        lines.append({"name": "axes for 90 %", "value": f"{pca.components_for(0.9)}"})
    components = analysis.get("components")
    if components is not None:
        lines.append({"name": "active units", "value": f"{len(components.active_units)} of {dim}"})
    summary = analysis.get("correlation_summary")
    if summary is not None and summary.counts_above:
        key = next(iter(summary.counts_above))
        lines.append({"name": f"pairs |r| > {key}", "value": f"{summary.counts_above[key]}"})
    structure = analysis.get("structure")
    if structure is not None and structure.verdict:
        lines.append({"name": "structure", "value": _shorten(structure.verdict)})
    return lines
