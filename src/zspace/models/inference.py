"""The one inference path: encode images, decode latent points, reconstruct — in batches, no gradients.

Every stage that runs a trained network goes through these three functions:
``zspace encode`` (a whole cache, streamed into memmaps), generation (decode
sampled points), ``zspace compare`` and the reports (reconstructions), and
the explorer (decode a clicked point). They take any ``LatentModel``
(models/protocol.py), zspace's ``Autoencoder`` or an adapter around another network.

Images are uint8 (n, H, W, C) on the outside and float (n, C, H, W) in [0, 1]
inside the model; latent points are flat (n, latent_dim) outside and
(n, *latent_shape) inside. The model is used where its owner placed it (the
inputs go to the device of its parameters) and is left as it was found: in eval
mode for the call, its own train/eval modes restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain

import numpy as np
import torch
from torch import nn

from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.models.protocol import LatentModel, latent_dim, require_latent_model
from zspace.progress import Progress, step


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ZspaceError(f"batch_size={batch_size} is not allowed; it must be an integer >= 1")


def model_device(model: LatentModel) -> torch.device:
    """Where the model's first parameter (or buffer) lives; cpu for a model with neither."""
    if isinstance(model, nn.Module):
        for tensor in chain(model.parameters(), model.buffers()):
            return tensor.device
    return torch.device("cpu")


def _placed(model: LatentModel, device: str | torch.device | None) -> torch.device:
    """The model's device; ``device``, when given, is only checked against it (the model is never moved)."""
    actual = model_device(model)
    if device is not None:
        wanted = torch.device(device)
        if wanted.type != actual.type or wanted.index not in (None, actual.index):
            raise ZspaceError(f"device {str(device)!r} does not match the model, whose weights are on {actual}; "
                              f"load the model for {str(device)!r} (Run.model(device)) or leave device unset")
    return actual


@contextmanager
def _evaluating(model: LatentModel) -> Iterator[None]:
    """Eval mode for the call; every submodule's own train/eval mode is restored afterwards."""
    if not isinstance(model, nn.Module):
        yield
        return
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


def _writable(array: np.ndarray) -> np.ndarray:
    """``array``, or a copy of it when read-only (a memmap's slice): torch warns on read-only arrays."""
    return array if array.flags.writeable else array.copy()


def _array_batches(images: np.ndarray, batch_size: int) -> Iterable[torch.Tensor]:
    for start in range(0, len(images), batch_size):
        yield torch.from_numpy(_writable(np.ascontiguousarray(images[start : start + batch_size])))


def _latent_batch(z: np.ndarray | torch.Tensor, start: int, stop: int) -> torch.Tensor:
    if isinstance(z, torch.Tensor):
        return z[start:stop].float()
    return torch.from_numpy(_writable(np.ascontiguousarray(z[start:stop], dtype=np.float32)))


def _flat(model: LatentModel, tensor: torch.Tensor, count: int, dim: int, what: str) -> np.ndarray:
    """The encoder's (count, *latent_shape) output as float32 (count, dim), or one error naming its shape."""
    if tensor.numel() != count * dim:
        raise ZspaceError(f"{type(model).__name__}.encode gave a {what} of shape {tuple(tensor.shape)} for {count} "
                          f"images; latent_shape {tuple(model.latent_shape)} needs (n, *latent_shape)")
    return tensor.reshape(count, dim).float().cpu().numpy()


@torch.no_grad()
def encode(
    model: LatentModel, images: np.ndarray | Iterable[torch.Tensor], vectors_out: np.ndarray | None = None,
    logvar_out: np.ndarray | None = None, batch_size: int = 256, device: str | torch.device | None = None,
    progress: Progress | None = None, total: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 images -> (encoder means (n, d) float32, log-variances (n, d) or None for an AE).

    ``images`` is a uint8 (n, H, W, C) array or an iterable of uint8 batches (e.g. a
    DataLoader over an image cache). The results are written into ``vectors_out`` /
    ``logvar_out`` when given (memmaps, so memory does not grow with n), else into new arrays.
    ``device``, when given, must be where the model is (see ``_placed``).
    """
    _check_batch_size(batch_size)
    model = require_latent_model(model)
    on = _placed(model, device)
    channels, height, width = model.image_shape
    if isinstance(images, np.ndarray):
        if images.shape[1:] != (height, width, channels):
            raise ZspaceError(f"images of shape {images.shape} do not fit the model: it takes "
                              f"(n, {height}, {width}, {channels}) arrays")
        total = len(images)
        batches: Iterable[torch.Tensor] = _array_batches(images, batch_size)
    else:
        batches = images
        total = total if total is not None else (len(vectors_out) if vectors_out is not None else 0)
    dim = latent_dim(model)
    if vectors_out is None:
        vectors_out = np.empty((total, dim), dtype=np.float32)
    if logvar_out is None and model.variational:
        logvar_out = np.empty((total, dim), dtype=np.float32)
    start = 0
    with _evaluating(model), step(progress, total, "img", "encode") as advance:
        for batch in batches:
            encoded = model.encode(to_model_input(batch.to(on)))
            stop = start + len(batch)
            vectors_out[start:stop] = _flat(model, encoded.mean, len(batch), dim, "mean")
            if logvar_out is not None and encoded.logvar is not None:
                logvar_out[start:stop] = _flat(model, encoded.logvar, len(batch), dim, "log-variance")
            start = stop
            advance(len(batch))
    return vectors_out, (logvar_out if model.variational else None)


@torch.no_grad()
def decode(
    model: LatentModel, z: np.ndarray | torch.Tensor, batch_size: int = 256,
    device: str | torch.device | None = None, progress: Progress | None = None, out: np.ndarray | None = None,
) -> np.ndarray:
    """Latent points (n, d) -> uint8 images (n, H, W, C), decoded in batches.

    Each batch goes straight into one preallocated uint8 array (``out`` when given,
    e.g. a memmap), with a single cast (benchmarks/sampler_speed.py: +3.4 % over the
    raw forward pass). ``device``, when given, must be where the model is.
    """
    _check_batch_size(batch_size)
    model = require_latent_model(model)
    on = _placed(model, device)
    shape, dim = tuple(z.shape), latent_dim(model)
    if len(shape) != 2 or shape[1] != dim:
        raise ZspaceError(f"latent points of shape {shape} do not fit the model: it decodes (n, {dim}) arrays")
    channels, height, width = model.image_shape
    if out is None:
        out = np.empty((shape[0], height, width, channels), dtype=np.uint8)
    with _evaluating(model), step(progress, shape[0], "img", "decode") as advance:
        for start in range(0, shape[0], batch_size):
            chunk = _latent_batch(z, start, start + batch_size).to(on)
            images = model.decode(chunk.reshape(len(chunk), *model.latent_shape))  # (b, C, H, W) in [0, 1]
            if tuple(images.shape) != (len(chunk), channels, height, width):
                raise ZspaceError(f"{type(model).__name__}.decode gave images of shape {tuple(images.shape)}; "
                                  f"its image_shape {tuple(model.image_shape)} needs (n, C, H, W)")
            write_uint8(images, out[start : start + len(images)])
            advance(len(images))
    return out


@torch.no_grad()
def reconstruct(model: LatentModel, images: np.ndarray, batch_size: int = 256,
                device: str | torch.device | None = None, progress: Progress | None = None) -> np.ndarray:
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
