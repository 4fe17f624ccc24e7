"""``ImportedModel``: a user's autoencoder (their module, a diffusers VAE) as a ``LatentModel``.

The wrapped module has ``encode(x)`` and ``decode(z)``. What they return is read here, so
that every stage sees the protocol of models/protocol.py and no command has a special case:

- ``encode``: a tensor (a plain AE's code); a pair ``(mean, logvar)``; an object with
  ``.mean`` and ``.logvar`` (or ``.variance``, as ``torch.distributions.Normal``); or a
  diffusers output, whose ``.latent_dist`` is such an object;
- ``decode``: a tensor, or an object with ``.sample`` (a diffusers ``DecoderOutput``).

Input range: zspace's images are float in [0, 1]; a module trained on [-1, 1] (the diffusers
convention) gets ``2x - 1`` and its output is mapped back by ``(y + 1) / 2``. Outputs are
clamped to [0, 1]. Latents keep the module's own shape (e.g. 4 x 32 x 32): inference
flattens them on the way out and reshapes them before ``decode``.
"""

from __future__ import annotations

import torch
from torch import nn

from zspace.errors import ZspaceError
from zspace.models.protocol import Encoded

INPUT_RANGES = ("0,1", "-1,1")


def check_input_range(input_range: str) -> str:
    if input_range not in INPUT_RANGES:
        raise ZspaceError(f"input range {input_range!r}: choose one of {', '.join(INPUT_RANGES)}",
                          options="input_range")
    return input_range


def encoder_output(output: object, who: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(mean, log-variance or None) from whatever ``encode`` returned (see the module docstring)."""
    output = getattr(output, "latent_dist", output)  # diffusers' AutoencoderKLOutput
    if isinstance(output, torch.Tensor):
        return output, None
    if isinstance(output, tuple | list) and len(output) == 2 and all(isinstance(t, torch.Tensor) for t in output):
        return output[0], output[1]
    mean = getattr(output, "mean", None)
    if isinstance(mean, torch.Tensor):
        logvar = getattr(output, "logvar", None)
        variance = getattr(output, "variance", None)
        if not isinstance(logvar, torch.Tensor) and isinstance(variance, torch.Tensor):
            logvar = variance.log()
        return mean, logvar if isinstance(logvar, torch.Tensor) else None
    raise ZspaceError(f"{who}.encode returned a {type(output).__name__}; return a tensor, a pair (mean, logvar), "
                      "an object with .mean (and .logvar) or a diffusers output with .latent_dist")


def decoder_output(output: object, who: str) -> torch.Tensor:
    """The images of whatever ``decode`` returned: a tensor, or the ``.sample`` of an object."""
    output = getattr(output, "sample", output)  # diffusers' DecoderOutput
    if not isinstance(output, torch.Tensor):
        raise ZspaceError(f"{who}.decode returned a {type(output).__name__}; return a tensor of images "
                          "or an object with .sample")
    return output


def _dtype(module: nn.Module) -> torch.dtype:
    """The floating dtype of the module's first floating parameter (float32 for none)."""
    for parameter in module.parameters():
        if parameter.is_floating_point():
            return parameter.dtype
    return torch.float32


class ImportedModel(nn.Module):
    """A ``LatentModel`` around ``network`` (which has encode/decode), with the shapes found at import."""

    def __init__(self, network: nn.Module, input_range: str, latent_shape: tuple[int, ...],
                 image_shape: tuple[int, int, int], variational: bool, name: str | None = None) -> None:
        super().__init__()
        self.network = network
        self.input_range = check_input_range(input_range)
        self._latent_shape = tuple(int(n) for n in latent_shape)
        self._image_shape = tuple(int(n) for n in image_shape)
        self._variational = bool(variational)
        self.name = name or type(network).__name__

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return self._latent_shape

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self._image_shape  # type: ignore[return-value]

    @property
    def variational(self) -> bool:
        return self._variational

    def to_network(self, images: torch.Tensor) -> torch.Tensor:
        """[0, 1] images in the network's range and dtype."""
        images = images * 2.0 - 1.0 if self.input_range == "-1,1" else images
        return images.to(_dtype(self.network))

    def from_network(self, images: torch.Tensor) -> torch.Tensor:
        """The network's images as float32 in [0, 1]."""
        images = images.float()
        images = (images + 1.0) / 2.0 if self.input_range == "-1,1" else images
        return images.clamp(0.0, 1.0)

    def encode(self, images: torch.Tensor) -> Encoded:
        mean, logvar = encoder_output(self.network.encode(self.to_network(images)), self.name)
        if self._variational and logvar is None:
            raise ZspaceError(f"{self.name}.encode gave no log-variance, but it did when imported; "
                              "import the model again")
        return Encoded(mean.float(), logvar.float() if self._variational else None)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        latents = latents.to(_dtype(self.network))
        return self.from_network(decoder_output(self.network.decode(latents), self.name))
