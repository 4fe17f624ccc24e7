"""``normal``: the standard normal N(0, I), the VAE prior (seed S16: np.random.normal)."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from zspace.samplers.base import Param, Sampler


class NormalSampler(Sampler):
    """z ~ N(0, I_d). Nothing to fit; ``dim``, :meth:`with_dim` or ``fit`` sets d."""

    name = "normal"
    needs_fit = False
    params: ClassVar[dict[str, Param]] = {
        "dim": Param(int, None, "an integer >= 1 (default: the model's latent dim)", lambda v: v >= 1),
    }

    def __init__(self, dim: int | None = None) -> None:
        self.dim = dim

    def _fit(self, latents: np.ndarray) -> None:
        pass  # only the dimension is taken from the data

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        return generator.standard_normal((num_samples, self.dim_), dtype=np.float32)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        """log N(z; 0, I) = -(d log 2pi + |z|^2) / 2, per row."""
        self._check_fitted()
        z = np.asarray(z, dtype=np.float64)
        return -0.5 * (self.dim_ * math.log(2 * math.pi) + np.einsum("nd,nd->n", z, z))
