"""Convolution blocks of the encoder and decoder stacks."""

from __future__ import annotations

from torch import nn


def conv_block(in_channels: int, out_channels: int, kernel: int, stride: int, batch_norm: bool) -> nn.Sequential:
    """Conv2D (same padding) -> [BatchNorm] -> LeakyReLU, as in the seed's Keras encoder."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, bias=not batch_norm)
    ]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


def up_layer(
    in_channels: int, out_channels: int, kernel: int, stride: int, out_size: tuple[int, int],
    in_size: tuple[int, int], mode: str,
) -> nn.Module:
    """One decoder step from ``in_size`` to exactly ``out_size``.

    ``transpose``: Conv2DTranspose; ``output_padding`` picks the size among the two a
    stride-2 transposed convolution can give, so odd sizes (28 -> 14 -> 7 -> 4) invert.
    ``upsample``: nearest-neighbour resize to ``out_size`` then a stride-1 Conv2D, which
    avoids the checkerboard artefacts of transposed convolutions (Odena et al. 2016,
    "Deconvolution and Checkerboard Artifacts"; the seed's suggestion, S5).
    """
    padding = kernel // 2
    if mode == "upsample":
        return nn.Sequential(
            nn.Upsample(size=out_size, mode="nearest"),
            nn.Conv2d(in_channels, out_channels, kernel, stride=1, padding=padding),
        )
    # out = (in - 1) * stride - 2 * padding + kernel + output_padding
    output_padding = tuple(
        o - ((i - 1) * stride - 2 * padding + kernel) for o, i in zip(out_size, in_size, strict=True)
    )
    return nn.ConvTranspose2d(
        in_channels, out_channels, kernel, stride=stride, padding=padding, output_padding=output_padding
    )


def conv_output_size(size: int, kernel: int, stride: int) -> int:
    """Spatial size after a same-padded convolution: ceil(size / stride) for odd kernels."""
    padding = kernel // 2
    return (size + 2 * padding - kernel) // stride + 1
