"""Planted latents for the analysis tests: known correlated pairs and shifted/widened components."""

from __future__ import annotations

import numpy as np

PLANTED_PAIRS = {(2, 5): 0.6, (7, 11): -0.45, (13, 20): 0.38}
SHIFTED = {3: 3.0}  # component -> added offset
WIDENED = {9: 3.0}  # component -> scale
NARROWED = {15: 0.1}


def planted_latents(count: int = 20_000, dim: int = 24, seed: int = 0) -> np.ndarray:
    """Standard-normal vectors with the plants above; float32 like encoded latents."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, dim))
    for (i, j), r in PLANTED_PAIRS.items():
        z[:, j] = r * z[:, i] + np.sqrt(1 - r**2) * z[:, j]  # corr(z_i, z_j) = r in expectation
    for k, offset in SHIFTED.items():
        z[:, k] += offset
    for k, scale in {**WIDENED, **NARROWED}.items():
        z[:, k] *= scale  # scaling leaves every r unchanged
    return z.astype(np.float32)
