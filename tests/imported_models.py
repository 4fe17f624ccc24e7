"""A user's own autoencoders, as a researcher would write them: not zspace's layout, imported by ``zspace import``.

Each ``make_*`` function is a factory (``tests/imported_models.py:make_spatial_vae``): called with no
arguments, it returns an ``nn.Module`` with ``encode`` and ``decode``. The images are the test
cache's 32 x 32 x 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Posterior:
    """What the user's encoder returns: an object with .mean and .logvar (no zspace type)."""

    mean: torch.Tensor
    logvar: torch.Tensor


@dataclass
class Decoded:
    """What the user's decoder returns: an object with .sample (as diffusers' DecoderOutput)."""

    sample: torch.Tensor


class SpatialVAE(nn.Module):
    """Three stride-2 convolutions to a spatial latent 2 x 4 x 4 (32 numbers), and back; no dense layer."""

    def __init__(self) -> None:
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1), nn.SiLU(), nn.Conv2d(8, 8, 4, 2, 1), nn.SiLU(),
                                  nn.Conv2d(8, 4, 4, 2, 1))  # (n, 3, 32, 32) -> (n, 4, 4, 4)
        self.up = nn.Sequential(nn.ConvTranspose2d(2, 8, 4, 2, 1), nn.SiLU(), nn.ConvTranspose2d(8, 8, 4, 2, 1),
                                nn.SiLU(), nn.ConvTranspose2d(8, 3, 4, 2, 1))  # (n, 2, 4, 4) -> (n, 3, 32, 32)

    def encode(self, x: torch.Tensor) -> Posterior:
        hidden = self.down(x)
        return Posterior(hidden[:, :2], hidden[:, 2:].clamp(-6.0, 2.0))

    def decode(self, z: torch.Tensor) -> Decoded:
        return Decoded(torch.sigmoid(self.up(z)))


def make_spatial_vae() -> SpatialVAE:
    torch.manual_seed(0)
    return SpatialVAE()


class PlainAE(nn.Module):
    """A plain AE whose encode gives a bare tensor (n, 6) and decode a bare tensor."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 6))
        self.decoder = nn.Linear(6, 3 * 32 * 32)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decoder(z)).view(-1, 3, 32, 32)


def make_plain_ae() -> PlainAE:
    torch.manual_seed(1)
    return PlainAE()


class CentredIdentity(nn.Module):
    """An identity with a decoder that assumes zero-mean images, as a model trained on [-1, 1] does.

    The latent is the image itself; decode subtracts each image's mean. In [-1, 1] it reconstructs
    images whose mean colour is mid-grey almost exactly; given [0, 1] images it is half a range off.
    """

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return z - z.mean(dim=(1, 2, 3), keepdim=True)


def make_centred_identity() -> CentredIdentity:
    return CentredIdentity()


class WrongSize(PlainAE):
    """Decodes to 16 x 16: not the cache's 32 x 32."""

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return super().decode(z)[:, :, :16, :16]


def make_wrong_size() -> WrongSize:
    return WrongSize()


class EncoderOnly(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(4, 2)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)


def make_encoder_only() -> EncoderOnly:
    return EncoderOnly()


def make_nothing() -> None:
    return None


def make_broken() -> nn.Module:
    raise RuntimeError("the checkpoint path is not set")
