"""``LatentModel``: what the inference path (``models/inference.py``) needs of a network.

zspace's own ``Autoencoder`` implements it; any other network (a user's module, a
diffusers VAE) stands in for it through a small adapter with these five members, and
every stage that encodes or decodes works on it unchanged:

- ``encode(images)``: float (n, C, H, W) in [0, 1] -> an ``Encoded``: the mean, shaped
  (n, *latent_shape), and the log-variance of the same shape, or None for a plain AE;
- ``decode(latents)``: (n, *latent_shape) -> float (n, C, H, W) in [0, 1];
- ``latent_shape``: the shape of one latent point, e.g. (256,) or (4, 32, 32);
- ``image_shape``: (C, H, W), the shape of one image that ``decode`` gives and ``encode`` takes;
- ``variational``: whether ``encode`` gives log-variances.

The adapter owns its conventions (input range, output objects); inference owns the
rest: outside the model latent points are flat vectors of ``latent_dim(model)``
components and images are uint8 (n, H, W, C). The model stays where its owner put it
(inference follows its parameters' device) and in the mode its owner left it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch

from zspace.errors import ZspaceError


@dataclass
class Encoded:
    """What an encoder gives: the latent mean, and the log-variance for a VAE."""

    mean: torch.Tensor  # (N, *latent_shape)
    logvar: torch.Tensor | None  # (N, *latent_shape) or None for an AE


@runtime_checkable
class LatentModel(Protocol):
    """An image autoencoder as inference sees it (see the module docstring)."""

    @property
    def latent_shape(self) -> tuple[int, ...]: ...

    @property
    def image_shape(self) -> tuple[int, int, int]: ...

    @property
    def variational(self) -> bool: ...

    def encode(self, images: torch.Tensor) -> Encoded: ...

    def decode(self, latents: torch.Tensor) -> torch.Tensor: ...


MEMBERS = ("encode", "decode", "latent_shape", "image_shape", "variational")


def latent_dim(model: LatentModel) -> int:
    """The number of components of one flattened latent point: the product of ``latent_shape``."""
    return math.prod(model.latent_shape)


def require_latent_model(model: object) -> LatentModel:
    """``model`` itself when it has every member of ``LatentModel``, else one ZspaceError naming the missing ones."""
    missing = [name for name in MEMBERS if not hasattr(model, name)]
    if missing:
        raise ZspaceError(f"{type(model).__name__} lacks {', '.join(missing)}; a model for inference needs "
                          f"{', '.join(MEMBERS)} (zspace.models.protocol.LatentModel)")
    return model  # type: ignore[return-value]


def model_kind(model: LatentModel) -> str:
    """"vae" for a model whose encoder gives log-variances, else "ae": the label runs are compared by."""
    return "vae" if model.variational else "ae"


def check_images_fit(model: LatentModel, images_shape: tuple[int, ...], holder: object,
                     options: tuple[str, ...] = ()) -> None:
    """One error when images of shape (H, W, C), held by ``holder`` (a cache), are not what ``model`` takes;
    ``options``: the parameters that choose the images."""
    channels, height, width = model.image_shape
    if tuple(images_shape) != (height, width, channels):
        found = "x".join(str(n) for n in images_shape)
        raise ZspaceError(f"{holder}: images of {found} (height x width x channels) do not fit the model, which "
                          f"takes {height}x{width}x{channels}; use an image cache of that size", options=options)
