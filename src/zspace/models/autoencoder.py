"""Convolutional autoencoder (AE) and variational autoencoder (VAE), seed S1, S2, S4, S5.

Both share one encoder/decoder layout built from a ModelConfig. The decoder
returns logits; ``decode`` applies the sigmoid. Losses live in
``zspace.training.losses``, apart from the architecture.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from zspace.config import ModelConfig
from zspace.models.blocks import conv_block, conv_output_size, up_layer
from zspace.models.protocol import Encoded  # the encoder's output, shared with every LatentModel


@dataclass
class Forward:
    """One forward pass: the decoder's logits and the latent point that made them."""

    logits: torch.Tensor  # (N, C, H, W)
    z: torch.Tensor  # (N, latent_dim)
    encoded: Encoded


class Autoencoder(nn.Module):
    """Conv encoder -> latent -> transposed-conv (or upsample+conv) decoder; a ``LatentModel``."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        sizes = [config.image_size]
        for kernel, stride in zip(config.kernels, config.strides, strict=True):
            sizes.append(conv_output_size(sizes[-1], kernel, stride))
        self.spatial_sizes = sizes  # e.g. 28, 14, 7, 4, 2

        channels = [config.channels, *config.filters]
        self.encoder = nn.Sequential(
            *(
                conv_block(channels[i], channels[i + 1], config.kernels[i], config.strides[i], config.batch_norm)
                for i in range(len(config.filters))
            ),
            nn.Flatten(),
        )
        flat = config.filters[-1] * sizes[-1] ** 2
        head_in = flat
        if config.dense_dim is not None:
            # Seed post XII: a dense layer before the latent heads saves memory for large z_dim.
            self.encoder.append(nn.Linear(flat, config.dense_dim))
            self.encoder.append(nn.LeakyReLU(0.2))
            head_in = config.dense_dim
        self.to_mean = nn.Linear(head_in, config.latent_dim)
        self.to_logvar = nn.Linear(head_in, config.latent_dim) if config.variational else None

        self.from_latent = nn.Linear(config.latent_dim, flat)
        ups: list[nn.Module] = []
        for i in reversed(range(len(config.filters))):
            out_channels = channels[i]
            in_hw, out_hw = (sizes[i + 1],) * 2, (sizes[i],) * 2
            kernel, stride = config.kernels[i], config.strides[i]
            ups.append(up_layer(channels[i + 1], out_channels, kernel, stride, out_hw, in_hw, config.upsampling))
            if i > 0:  # no norm/activation on the last layer: it gives pixel logits
                if config.batch_norm:
                    ups.append(nn.BatchNorm2d(out_channels))
                ups.append(nn.LeakyReLU(0.2))
        self.decoder = nn.Sequential(*ups)

    @property
    def variational(self) -> bool:
        return self.config.variational

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return (self.config.latent_dim,)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of the images it takes and makes."""
        return (self.config.channels, self.config.image_size, self.config.image_size)

    def encode(self, images: torch.Tensor) -> Encoded:
        """images (N, C, H, W) in [0, 1] -> latent mean (and clamped log-variance)."""
        features = self.encoder(images)
        mean = self.to_mean(features)
        logvar = None
        if self.to_logvar is not None:
            logvar = self.to_logvar(features).clamp(self.config.logvar_min, self.config.logvar_max)
        return Encoded(mean, logvar)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, latent_dim) -> pixel logits (N, C, H, W)."""
        side = self.spatial_sizes[-1]
        hidden = self.from_latent(z).view(-1, self.config.filters[-1], side, side)
        return self.decoder(hidden)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, latent_dim) -> images (N, C, H, W) in [0, 1]."""
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, images: torch.Tensor, generator: torch.Generator | None = None) -> Forward:
        """Encode, draw z (reparameterisation trick for a VAE, Kingma & Welling 2014), decode."""
        encoded = self.encode(images)
        z = encoded.mean
        if encoded.logvar is not None and self.training:
            noise = torch.randn(
                encoded.mean.shape, generator=generator, device=encoded.mean.device, dtype=encoded.mean.dtype
            )
            z = encoded.mean + torch.exp(0.5 * encoded.logvar) * noise
        return Forward(self.decode_logits(z), z, encoded)


def build_model(config: ModelConfig) -> Autoencoder:
    return Autoencoder(config)
