"""Named architecture presets; a preset only overrides ModelConfig defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

from zspace.config import ModelConfig
from zspace.errors import ZspaceError

ARCHITECTURES: dict[str, dict[str, Any]] = {
    # The seed's VAE (post on VAE with CelebA): Conv2D filters (32,64,128,256), 3x3, stride 2,
    # for 96x96x3 faces, z_dim 256.
    "seed": {
        "filters": (32, 64, 128, 256),
        "kernels": (3, 3, 3, 3),
        "strides": (2, 2, 2, 2),
        "latent_dim": 256,
    },
    # The seed's AE of the "filaments and voids" posts: (64,64,128,128) with 5,5,3,3 kernels.
    "seed-5x5": {
        "filters": (64, 64, 128, 128),
        "kernels": (5, 5, 3, 3),
        "strides": (2, 2, 2, 2),
        "latent_dim": 256,
    },
    # Fast on a CPU for 28-64 px images (the demo's net).
    "small": {
        "filters": (32, 64, 64, 128),
        "kernels": (3, 3, 3, 3),
        "strides": (2, 2, 2, 2),
        "latent_dim": 64,
    },
}


def model_config(arch: str, **overrides: Any) -> ModelConfig:
    """The preset ``arch`` with ``overrides`` (``None`` values are ignored) applied."""
    if arch not in ARCHITECTURES:
        raise ZspaceError(f"arch={arch!r} is an unknown architecture; choose one of {sorted(ARCHITECTURES)}")
    values = {**ARCHITECTURES[arch], "arch": arch}
    values.update({k: v for k, v in overrides.items() if v is not None})
    names = {f.name for f in dataclasses.fields(ModelConfig)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ZspaceError(f"unknown model setting(s) {unknown}; allowed: {sorted(names)}")
    return ModelConfig(**values)
