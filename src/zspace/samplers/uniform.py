"""``uniform``: the seed's "statistical vectors", uniform in the box [-b, b]^d (seed S10, S17)."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from zspace.samplers.base import Param, Sampler


class UniformSampler(Sampler):
    """z ~ U([-b, b]^d); the seed sweeps b = 0.5 ... 8 and sees quality fall as b grows."""

    name = "uniform"
    needs_fit = False
    params: ClassVar[dict[str, Param]] = {
        "b": Param(float, 1.5, "a number > 0 (the half-width of the box)", lambda v: math.isfinite(v) and v > 0),
        "dim": Param(int, None, "an integer >= 1 (default: the model's latent dim)", lambda v: v >= 1),
    }

    def __init__(self, b: float = 1.5, dim: int | None = None) -> None:
        self.b, self.dim = b, dim

    def _fit(self, latents: np.ndarray) -> None:
        pass

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        z = generator.random((num_samples, self.dim_), dtype=np.float32)  # [0, 1)
        return (2 * z - 1) * np.float32(self.b)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        """-d log(2b) inside the box, -inf outside."""
        self._check_fitted()
        z = np.asarray(z, dtype=np.float64)
        inside = np.all(np.abs(z) <= self.b, axis=1)
        return np.where(inside, -self.dim_ * math.log(2 * self.b), -np.inf)
