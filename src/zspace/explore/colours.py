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
from matplotlib import colormaps

MAX_CATEGORIES = 20  # more distinct values than this: numbers become continuous, strings keep the top 19 + other
RAMP_STEPS = 64


def _hex(colour) -> str:
    r, g, b = (int(round(255 * c)) for c in colour[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


CATEGORY_PALETTE = [_hex(c) for c in colormaps["tab20"].colors]
OTHER_COLOUR = "#9e9e9e"
RAMP = [_hex(colormaps["viridis"](i / (RAMP_STEPS - 1))) for i in range(RAMP_STEPS)]


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
