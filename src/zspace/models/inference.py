"""The one inference path: encode images, decode latent points, reconstruct — in batches, no gradients.

Every stage that runs a trained network goes through these three functions:
``zspace encode`` (a whole cache, streamed into memmaps), generation (decode
sampled points), ``zspace compare`` and the reports (reconstructions), and
the explorer (decode a clicked point).

Images are uint8 (n, H, W, C) on the outside and float (n, C, H, W) in [0, 1]
inside the model.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.models.autoencoder import Autoencoder
from zspace.progress import Progress, step


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ZspaceError(f"batch_size={batch_size} is not allowed; it must be an integer >= 1")


def _array_batches(images: np.ndarray, batch_size: int) -> Iterable[torch.Tensor]:
    for start in range(0, len(images), batch_size):
        yield torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size]))


@torch.no_grad()
def encode(
    model: Autoencoder, images: np.ndarray | Iterable[torch.Tensor], vectors_out: np.ndarray | None = None,
    logvar_out: np.ndarray | None = None, batch_size: int = 256, device: str | torch.device = "cpu",
    progress: Progress | None = None, total: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 images -> (encoder means (n, d) float32, log-variances (n, d) or None for an AE).

    ``images`` is a uint8 (n, H, W, C) array or an iterable of uint8 batches (e.g. a
    DataLoader over an image cache). The results are written into ``vectors_out`` /
    ``logvar_out`` when given (memmaps, so memory does not grow with n), else into new arrays.
    """
    _check_batch_size(batch_size)
    if isinstance(images, np.ndarray):
        total = len(images)
        batches: Iterable[torch.Tensor] = _array_batches(images, batch_size)
    else:
        batches = images
        total = total if total is not None else (len(vectors_out) if vectors_out is not None else 0)
    dim = model.config.latent_dim
    if vectors_out is None:
        vectors_out = np.empty((total, dim), dtype=np.float32)
    if logvar_out is None and model.variational:
        logvar_out = np.empty((total, dim), dtype=np.float32)
    model = model.to(device).eval()
    start = 0
    with step(progress, total, "img", "encode") as advance:
        for batch in batches:
            encoded = model.encode(to_model_input(batch.to(device)))
            stop = start + len(batch)
            vectors_out[start:stop] = encoded.mean.float().cpu().numpy()
            if logvar_out is not None and encoded.logvar is not None:
                logvar_out[start:stop] = encoded.logvar.float().cpu().numpy()
            start = stop
            advance(len(batch))
    return vectors_out, (logvar_out if model.variational else None)


@torch.no_grad()
def decode(
    model: Autoencoder, z: np.ndarray | torch.Tensor, batch_size: int = 256, device: str | torch.device = "cpu",
    progress: Progress | None = None, out: np.ndarray | None = None,
) -> np.ndarray:
    """Latent points (n, d) -> uint8 images (n, H, W, C), decoded in batches.

    Each batch goes straight into one preallocated uint8 array (``out`` when given,
    e.g. a memmap), with a single cast (benchmarks/sampler_speed.py: +3.4 % over the
    raw forward pass).
    """
    _check_batch_size(batch_size)
    shape = tuple(z.shape)
    if len(shape) != 2 or shape[1] != model.config.latent_dim:
        raise ZspaceError(f"latent points of shape {shape} do not fit the model: it decodes "
                          f"(n, {model.config.latent_dim}) arrays")
    model = model.to(device).eval()
    size, channels = model.config.image_size, model.config.channels
    if out is None:
        out = np.empty((shape[0], size, size, channels), dtype=np.uint8)
    with step(progress, shape[0], "img", "decode") as advance:
        for start in range(0, shape[0], batch_size):
            chunk = torch.as_tensor(np.asarray(z[start : start + batch_size], dtype=np.float32))
            images = model.decode(chunk.to(device))  # (b, C, H, W) in [0, 1]
            write_uint8(images, out[start : start + len(images)])
            advance(len(images))
    return out


@torch.no_grad()
def reconstruct(model: Autoencoder, images: np.ndarray, batch_size: int = 256, device: str | torch.device = "cpu",
                progress: Progress | None = None) -> np.ndarray:
    """uint8 (n, H, W, C) -> uint8 (n, H, W, C): decode(encoder mean), the deterministic reconstruction."""
    means, _logvar = encode(model, images, batch_size=batch_size, device=device)
    return decode(model, means, batch_size, device, progress)


def write_uint8(images: torch.Tensor, out: np.ndarray) -> None:
    """Float (n, C, H, W) in [0, 1] -> rounded uint8 written into ``out`` (n, H, W, C).

    Working on the NHWC view and casting in the final copy takes two passes fewer than
    building a uint8 tensor and transposing it.
    """
    scaled = images.permute(0, 2, 3, 1).mul(255.0).add_(0.5).clamp_(0.0, 255.0)  # (n, H, W, C)
    torch.from_numpy(out).copy_(scaled.cpu())  # the cast to uint8 truncates: +0.5 made it round


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Float (n, C, H, W) in [0, 1] -> uint8 (n, H, W, C), rounded to nearest."""
    n, channels, height, width = images.shape
    out = np.empty((n, height, width, channels), dtype=np.uint8)
    write_uint8(images, out)
    return out
