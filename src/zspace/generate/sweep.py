"""Sweeps over one sampler parameter (seed S17: uniform boxes of growing half-width)."""

from __future__ import annotations

from typing import Any

import numpy as np

from zspace.samplers import Sampler


def sweep_points(samplers: list[tuple[Any, Sampler]], num_samples: int, seed: int) -> list[tuple[Any, np.ndarray]]:
    """Fitted samplers [(value, sampler), ...] -> [(value, z (n, d)), ...].

    Every value draws from a generator with the same seed, so for the uniform
    box the points of different b are the same directions scaled: the rows of
    the combined panel differ by b alone.
    """
    return [(value, sampler.sample(num_samples, np.random.default_rng(seed))) for value, sampler in samplers]


def value_label(key: str, value: Any) -> str:
    return f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
