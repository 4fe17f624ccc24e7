"""Decode latent points to images and lay images out in grids (seed S16, S20).

Sampling, sweeps, interpolation, attribute vectors and comparisons built on
these live in :mod:`zspace.generate`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import torch
from PIL import Image

from zspace.errors import ZspaceError
from zspace.io import atomic_path
from zspace.models.autoencoder import Autoencoder


@torch.no_grad()
def decode(
    model: Autoencoder, z: np.ndarray | torch.Tensor, batch_size: int = 256, device: str | torch.device = "cpu",
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Latent points (n, d) -> uint8 images (n, H, W, C), decoded in batches.

    Each batch goes straight into one preallocated uint8 array (no list of batches to
    concatenate), and ``progress(images_in_batch)`` is called after it when given.
    """
    if batch_size < 1:
        raise ZspaceError(f"batch_size={batch_size} is not allowed; it must be an integer >= 1")
    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    if z.ndim != 2 or z.shape[1] != model.config.latent_dim:
        raise ZspaceError(f"latent points of shape {tuple(z.shape)} do not fit the model: it decodes "
                          f"(n, {model.config.latent_dim}) arrays")
    model = model.to(device).eval()
    size, channels = model.config.image_size, model.config.channels
    out = np.empty((len(z), size, size, channels), dtype=np.uint8)
    for start in range(0, len(z), batch_size):
        images = model.decode(z[start : start + batch_size].to(device))  # (b, C, H, W) in [0, 1]
        write_uint8(images, out[start : start + len(images)])
        if progress is not None:
            progress(len(images))
    return out


def write_uint8(images: torch.Tensor, out: np.ndarray) -> None:
    """Float (n, C, H, W) in [0, 1] -> rounded uint8 written into ``out`` (n, H, W, C).

    Working on the NHWC view and casting in the final copy takes two passes fewer than
    building a uint8 tensor and transposing it (half the time of the generation path's
    overhead over a raw forward pass, benchmarks/sampler_speed.py).
    """
    scaled = images.permute(0, 2, 3, 1).mul(255.0).add_(0.5).clamp_(0.0, 255.0)  # (n, H, W, C)
    torch.from_numpy(out).copy_(scaled.cpu())  # the cast to uint8 truncates: +0.5 made it round


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Float (n, C, H, W) in [0, 1] -> uint8 (n, H, W, C), rounded to nearest."""
    n, channels, height, width = images.shape
    out = np.empty((n, height, width, channels), dtype=np.uint8)
    write_uint8(images, out)
    return out


def image_grid(images: np.ndarray, columns: int = 7, padding: int = 2, scale: int = 1,
               background: int = 255) -> Image.Image:
    """uint8 (n, H, W, C) -> one PIL image with the images in rows of ``columns``."""
    images = np.asarray(images)
    n, height, width, channels = images.shape
    columns = max(1, min(columns, n))
    rows = -(-n // columns)
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        background, dtype=np.uint8,
    )
    for i in range(n):
        r, c = divmod(i, columns)
        top, left = padding + r * (height + padding), padding + c * (width + padding)
        grid[top : top + height, left : left + width] = images[i]
    picture = Image.fromarray(grid[..., 0] if channels == 1 else grid)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    return picture


def save_image(picture: Image.Image, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        picture.save(tmp, format="PNG")
