"""Colours of the t-SNE/UMAP maps from an index column (issue 11 items 8 and 14).

A column is drawn as categories (a legend) when it holds text, booleans or at
most ``MAX_CATEGORIES`` distinct integers; text with more values keeps the
``MAX_CATEGORIES - 1`` most frequent and calls the rest "other". Any other
numeric column is a colour scale. When the index has a ``<column>_name``
column (Fashion-MNIST's ``label_name`` beside ``label``), the legend shows the
names instead of the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zspace.errors import ZspaceError

MAX_CATEGORIES = 20
OTHER = "other"


def check_color_by(index: Mapping[str, np.ndarray], color_by: str | None) -> None:
    """One clear error before any work when the column is not in the index."""
    if color_by is not None and color_by not in index:
        raise ZspaceError(f"colour column {color_by!r} is not in the index; columns: {', '.join(index) or 'none'}")


def default_color_by(index: Mapping[str, np.ndarray], color_by: str | None) -> str | None:
    return color_by if color_by is not None else ("label" if "label" in index else None)


def map_colours(index: Mapping[str, np.ndarray], color_by: str | None, rows: np.ndarray) -> np.ndarray | None:
    """Per-row colour values for ``rows``: a str array (categories) or a float64 array (a scale); None = none."""
    if color_by is None or color_by not in index:
        return None
    values = np.asarray(index[color_by])[rows]
    names = index.get(f"{color_by}_name")
    if names is not None:
        values = np.asarray(names)[rows]
    kind = values.dtype.kind
    if kind in "iub" and len(np.unique(values)) <= MAX_CATEGORIES:
        return values.astype(str)
    if kind in "iuf":
        return values.astype(np.float64)
    text = values.astype(str)
    categories, counts = np.unique(text, return_counts=True)
    if len(categories) <= MAX_CATEGORIES:
        return text
    kept = categories[np.argsort(-counts, kind="stable")[: MAX_CATEGORIES - 1]]
    return np.where(np.isin(text, kept), text, OTHER)
