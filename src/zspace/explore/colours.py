"""Colour the map by an index column (label, split, attributes, factors) or by a latent value.

The browser gets one float32 per map point and a legend. regl-scatterplot reads whole numbers as
categories (an index into the palette) and fractions in [0, 1] as a position on a continuous
colour ramp, so a categorical colouring sends category numbers and a continuous one sends values
scaled between the 1st and 99th percentile (outliers clipped, so one extreme vector cannot wash
the map out). The legend carries the same palette the points use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_CATEGORIES = 20  # more distinct values than this: numbers become continuous, strings keep the top 19 + other
RAMP_STEPS = 64


# matplotlib's tab20 and viridis (16 anchors, interpolated to RAMP_STEPS), written out: importing
# matplotlib would add a second to the server's start for 84 colours.
CATEGORY_PALETTE = [
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd", "#c5b0d5",
    "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
]
OTHER_COLOUR = "#9e9e9e"
VIRIDIS = ["#440154", "#481a6c", "#472f7d", "#414487", "#39568c", "#31688e", "#2a788e", "#23888e",
           "#1f988b", "#22a884", "#35b779", "#54c568", "#7ad151", "#a5db36", "#d2e21b", "#fde725"]


def _ramp(anchors: list[str], steps: int) -> list[str]:
    rgb = np.array([[int(a[k:k + 2], 16) for k in (1, 3, 5)] for a in anchors], dtype=np.float64)
    at = np.linspace(0, len(anchors) - 1, steps)
    channels = [np.interp(at, np.arange(len(anchors)), rgb[:, c]) for c in range(3)]
    return ["#" + "".join(f"{int(round(ch[i])):02x}" for ch in channels) for i in range(steps)]


RAMP = _ramp(VIRIDIS, RAMP_STEPS)


@dataclass
class Colouring:
    """Per-row colour values (float32 (N,)) and the legend the browser draws."""

    by: str
    kind: str  # "categorical" or "continuous"
    values: np.ndarray  # (N,) float32: category numbers, or values in [0, 1]
    legend: dict


def categorical(by: str, codes: np.ndarray, names: list[str]) -> Colouring:
    palette = [CATEGORY_PALETTE[k % len(CATEGORY_PALETTE)] for k in range(len(names))]
    if names and names[-1] == "other":
        palette[-1] = OTHER_COLOUR
    counts = np.bincount(codes, minlength=len(names)).tolist()
    categories = [{"name": n, "colour": c, "count": k} for n, c, k in zip(names, palette, counts, strict=True)]
    legend = {"by": by, "kind": "categorical", "colours": palette, "categories": categories}
    return Colouring(by, "categorical", codes.astype(np.float32), legend)


def continuous(by: str, values: np.ndarray) -> Colouring:
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    low, high = (np.percentile(finite, [1, 99]) if len(finite) else (0.0, 1.0))
    if not high > low:
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    span = high - low if high > low else 1.0
    scaled = np.clip(np.nan_to_num((values - low) / span, nan=0.0), 0.0, 1.0).astype(np.float32)
    # regl-scatterplot takes whole numbers as categories: nudge exact 0 and 1 inside the ramp.
    scaled = np.clip(scaled, 1e-6, 1 - 1e-6)
    legend = {"by": by, "kind": "continuous", "colours": RAMP, "minimum": float(low), "maximum": float(high)}
    return Colouring(by, "continuous", scaled, legend)


def from_column(by: str, column: np.ndarray, names_for: Callable[[np.ndarray], list[str]] | None = None) -> Colouring:
    """Categorical for strings and few distinct numbers, continuous otherwise.

    ``names_for(codes_values)`` may name the categories (e.g. label -> label_name).
    """
    column = np.asarray(column)
    numeric = np.issubdtype(column.dtype, np.number) or column.dtype == bool
    if numeric:
        column = column.astype(np.float64)
        distinct, codes = np.unique(np.nan_to_num(column, nan=-np.inf), return_inverse=True)
        if len(distinct) > MAX_CATEGORIES:
            return continuous(by, column)
        names = names_for(distinct) if names_for else [_number(v) for v in distinct]
        return categorical(by, codes.astype(np.int64), names)
    distinct, codes, counts = np.unique(column.astype(str), return_inverse=True, return_counts=True)
    if len(distinct) <= MAX_CATEGORIES:
        return categorical(by, codes.astype(np.int64), [str(v) for v in distinct])
    keep = np.argsort(-counts, kind="stable")[: MAX_CATEGORIES - 1]  # the most frequent, then "other"
    remap = np.full(len(distinct), len(keep), dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return categorical(by, remap[codes], [str(distinct[k]) for k in keep] + ["other"])


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "missing"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def unit_interval(by: str, values: np.ndarray) -> Colouring:
    """Values that are shares in [0, 1] (neighbourhood agreement), on the ramp from 0 to 1 as they are, not rescaled
    to their percentiles (0.4 must look the same on every map). NaN (a row not measured) stays NaN: drawn grey."""
    values = np.asarray(values, dtype=np.float32)
    measured = int(np.count_nonzero(np.isfinite(values)))
    scaled = np.clip(values, 1e-6, 1 - 1e-6)  # whole numbers would read as categories; NaN stays NaN
    note = f"all {measured:,} rows" if measured == len(values) else f"sample of {measured:,} rows (others grey)"
    legend = {"by": by, "kind": "continuous", "colours": RAMP, "minimum": 0.0, "maximum": 1.0,
              "missing": OTHER_COLOUR, "note": note,
              "mean": float(np.nanmean(values)) if measured else None}
    return Colouring(by, "continuous", scaled.astype(np.float32), legend)
