"""``knn-mix``: random convex mixes of a data point and its k nearest neighbours.

A sample is sum_j w_j z_j over a random encoding z_0 and its k nearest
neighbours z_1..z_k, with w ~ Dirichlet(alpha, ..., alpha): it stays inside the
local convex hull of the data, close to where real faces decode well, without
copying any one of them (in the spirit of mixup, Zhang et al. 2018, applied
locally in latent space). Neighbours of every point are found once at fit
time (the exact search of :mod:`zspace.neighbours`), so sampling is only indexing.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from zspace.errors import ZspaceError
from zspace.neighbours import knn
from zspace.samplers.base import Param, Sampler

_CHUNK = 8192  # rows mixed at a time: bounds the (chunk, k+1, d) gather


class KNNMixSampler(Sampler):
    """Dirichlet-weighted convex combinations of a random encoding and its k nearest neighbours."""

    name = "knn-mix"
    params: ClassVar[dict[str, Param]] = {
        "k": Param(int, 5, "an integer >= 1 (neighbours mixed with each point)", lambda v: v >= 1),
        "alpha": Param(float, 1.0, "a number > 0 (Dirichlet concentration)", lambda v: math.isfinite(v) and v > 0),
    }

    def __init__(self, k: int = 5, alpha: float = 1.0) -> None:
        self.k, self.alpha = k, alpha

    def _fit(self, latents: np.ndarray) -> None:
        if self.k >= len(latents):
            raise ZspaceError(f"knn-mix:k={self.k} needs more than {self.k} latent vectors, got {len(latents)}; "
                              f"choose k <= {len(latents) - 1}")
        self.data_ = np.ascontiguousarray(latents, dtype=np.float32)  # (N, d)
        rows = np.arange(len(self.data_))
        # Column 0 is the point itself; a duplicate of it stays among the others (at distance 0).
        _, others = knn(self.data_, self.data_, self.k, self_rows=rows)  # (N, k)
        self.neighbors_ = np.concatenate([rows[:, None], others], axis=1).astype(np.int64)  # (N, k+1)

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        anchors = generator.integers(0, len(self.data_), size=num_samples)
        weights = generator.dirichlet(np.full(self.k + 1, self.alpha), size=num_samples).astype(np.float32)
        z = np.empty((num_samples, self.dim_), dtype=np.float32)
        for start in range(0, num_samples, _CHUNK):
            stop = min(start + _CHUNK, num_samples)
            points = self.data_[self.neighbors_[anchors[start:stop]]]  # (c, k+1, d)
            z[start:stop] = np.einsum("ck,ckd->cd", weights[start:stop], points)
        return z
