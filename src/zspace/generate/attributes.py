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


def numeric_columns(index: dict[str, np.ndarray]) -> list[str]:
    """Index columns usable as attributes: numeric, not the bookkeeping ones."""
    skip = {"row", "split", "source_id"}
    return [k for k, v in index.items() if k not in skip and np.issubdtype(np.asarray(v).dtype, np.number)]
