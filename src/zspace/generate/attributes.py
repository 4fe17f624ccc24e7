"""Attribute vectors: the direction in latent space along which an attribute changes.

For a binary column (glasses, CelebA's Smiling) the vector is
mean(z | with) - mean(z | without), the arithmetic of Radford et al. 2016
(DCGAN, sec. 6.3) and of White 2016 ("attribute vectors"). For a continuous
factor it is the least-squares slope of E[z | y] on y,

    beta = Cov(z, y) / Var(y)   (one regression of each component on y),

scaled by 2 sd(y): the shift from one standard deviation below the mean of y
to one above. For a 0/1 column with equal shares this equals the mean
difference, which is the same regression with y binary.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zspace.errors import ZspaceError


def is_binary(values: np.ndarray) -> bool:
    unique = np.unique(np.asarray(values))
    return len(unique) == 2 and set(unique.tolist()) <= {0, 1}


def attribute_direction(latents: np.ndarray, values: np.ndarray, name: str = "attribute") -> np.ndarray:
    """(N, d) latents and (N,) attribute values -> (d,) float32 attribute vector."""
    z = np.asarray(latents, np.float64)
    y = np.asarray(values)
    if y.shape != (len(z),):
        raise ZspaceError(f"{name}: {y.shape[0] if y.ndim else 0} values for {len(z)} latent vectors")
    if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
        raise ZspaceError(f"{name}: is not numeric; attribute vectors need a 0/1 or numeric column")
    y = y.astype(np.float64)
    if is_binary(y):
        with_, without = y == 1, y == 0
        if with_.sum() == 0 or without.sum() == 0:
            raise ZspaceError(f"{name}: every row has the same value; the direction needs both 0 and 1")
        return (z[with_].mean(0) - z[without].mean(0)).astype(np.float32)
    spread = y.std()
    if not np.isfinite(spread) or spread == 0:
        raise ZspaceError(f"{name}: has no variation; choose a column whose values differ")
    slope = ((z - z.mean(0)) * (y - y.mean())[:, None]).mean(0) / spread**2  # (d,) Cov(z, y) / Var(y)
    return (slope * 2 * spread).astype(np.float32)


def attribute_values(index: Mapping[str, np.ndarray], spec: str) -> tuple[str, np.ndarray]:
    """An attribute spec -> (its name, its values per row).

    ``glasses`` names a numeric column (0/1 or continuous). ``label=Sneaker`` takes one
    class of a categorical column against the rest (values 0/1); the class may be given
    by its name when the index has a ``<column>_name`` column (Fashion-MNIST's label_name).
    A categorical column named alone (integer ids with names, or text) is refused: regressing
    on class ids 0-9 would be meaningless.
    """
    column, has_class, wanted = spec.partition("=")
    column, wanted = column.strip(), wanted.strip()
    if column not in index:
        raise ZspaceError(f"attribute {column!r} is not a column of the index; choose one of: "
                          f"{', '.join(attribute_columns(index)) or 'none (the cache has no attributes)'}")
    values = np.asarray(index[column])
    names = np.asarray(index[f"{column}_name"]) if f"{column}_name" in index else None
    if has_class:
        for candidates in (names, values):
            if candidates is not None and wanted in set(candidates.astype(str).tolist()):
                chosen = candidates.astype(str) == wanted
                return f"{column}={wanted}", chosen.astype(np.float64)
        known = sorted(set((names if names is not None else values).astype(str).tolist()))
        raise ZspaceError(f"attribute {spec!r}: no class {wanted!r} in column {column!r}; classes: "
                          f"{', '.join(known[:30])}{' ...' if len(known) > 30 else ''}")
    if names is not None or not np.issubdtype(values.dtype, np.number):
        example = (names if names is not None else values).astype(str)[0]
        raise ZspaceError(f"attribute {column!r} is categorical; take one class against the rest, "
                          f"e.g. {column}={example}")
    return column, values


def attribute_columns(index: Mapping[str, np.ndarray]) -> list[str]:
    """Columns that can be named as attributes: numeric ones, and categorical ones as COLUMN=CLASS."""
    numeric = numeric_columns(index)
    named = [f"{k[:-5]}=CLASS" for k in index if k.endswith("_name") and k[:-5] in index]
    text = [f"{k}=CLASS" for k, v in index.items() if k not in _BOOKKEEPING and not k.endswith("_name")
            and not np.issubdtype(np.asarray(v).dtype, np.number)]
    return [c for c in numeric if f"{c}=CLASS" not in named] + named + text


_BOOKKEEPING = {"row", "split", "source_id", "file", "path", "identity"}


def numeric_columns(index: Mapping[str, np.ndarray]) -> list[str]:
    """Index columns usable as attributes: numeric, not the bookkeeping ones."""
    return [k for k, v in index.items() if k not in _BOOKKEEPING and np.issubdtype(np.asarray(v).dtype, np.number)]
