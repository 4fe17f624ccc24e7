"""The run's headline numbers for the explorer's side panel, read defensively from metrics.json.

Any key may be missing (an older analysis, none at all): each line is shown only when its
numbers are there and are numbers.
"""

from __future__ import annotations

from numbers import Real


def _get(metrics: dict, *keys):
    value = metrics
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def headline(metrics: dict, count: int, dim: int) -> list[dict[str, str]]:
    """[{"name", "value"}] lines: size, radius vs sqrt(d), PCA, correlations, active units, structure verdict."""
    lines = [{"name": "latent vectors", "value": f"{count:,} x {dim}"}]
    mean, mode, root = (_get(metrics, "radius", k) for k in ("mean", "mode", "sqrt_dim"))
    if _number(mean) and _number(root):
        extra = f", mode {mode:.2f}" if _number(mode) else ""
        lines.append({"name": "radius", "value": f"mean {mean:.2f}{extra} (sqrt d = {root:.2f})"})
    ratio = _get(metrics, "pca", "explained_variance_ratio")
    if isinstance(ratio, list) and len(ratio) >= 2 and all(_number(r) for r in ratio[:2]):
        lines.append({"name": "PCA axes 1, 2", "value": f"{100 * ratio[0]:.1f} % + {100 * ratio[1]:.1f} % of variance"})
    needed = _get(metrics, "pca", "components_for_90pct")
    if _number(needed):
        lines.append({"name": "axes for 90 %", "value": f"{needed}"})
    active = _get(metrics, "components", "active_units", "count")
    if _number(active):
        lines.append({"name": "active units", "value": f"{active} of {dim}"})
    above = _get(metrics, "correlation", "counts_above")
    if isinstance(above, dict) and above:
        key = next(iter(above))
        if _number(above[key]):
            lines.append({"name": f"pairs |r| > {key}", "value": f"{above[key]}"})
    verdict = _get(metrics, "structure", "verdict")
    if isinstance(verdict, str):
        lines.append({"name": "structure", "value": verdict[:200]})
    return lines
