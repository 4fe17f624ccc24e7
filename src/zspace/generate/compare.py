"""Reconstructions of the same images by two runs, side by side (seed S19).

The seed compares an AE with z_dim 1600 (sharp) against a VAE with z_dim 256
(blurrier: the KL term costs detail). Each row is labelled with the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from zspace.data.cache import open_cache
from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.generation import decode
from zspace.latents import training_data
from zspace.models.autoencoder import Autoencoder
from zspace.training.checkpoint import load_model


@torch.no_grad()
def reconstruct(model: Autoencoder, images: np.ndarray, batch_size: int = 256, device: str | torch.device = "cpu",
                progress: Callable[[int], None] | None = None) -> np.ndarray:
    """uint8 (n, H, W, C) -> uint8 (n, H, W, C): decode(encoder mean), the deterministic reconstruction."""
    model = model.to(device).eval()
    out = []
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size]))
        mean = model.encode(to_model_input(batch.to(device))).mean
        out.append(decode(model, mean, batch_size, device))
        if progress is not None:
            progress(len(out[-1]))
    return np.concatenate(out)


def compare_reconstructions(
    run_a: str | os.PathLike, run_b: str | os.PathLike, num_images: int = 8, seed: int = 0,
    data: str | os.PathLike | None = None, device: str = "cpu", progress: Callable[[int], None] | None = None,
) -> list[tuple[str, np.ndarray]]:
    """[('original', images), ('<run_a name>', recon), ('<run_b name>', recon)] for ``num_images`` held-out images.

    The images are drawn (seeded) from the validation split of ``data``
    (default: the cache run A trained on); both models must take its size.
    """
    if num_images < 1:
        raise ZspaceError(f"--n {num_images} is not allowed; compare needs at least 1 image")
    run_a, run_b = Path(run_a), Path(run_b)
    cache = open_cache(data if data is not None else training_data(run_a))
    rows = cache.rows("val")
    if len(rows) == 0:
        rows = np.arange(len(cache))
    if num_images > len(rows):
        raise ZspaceError(f"--n {num_images} exceeds the {len(rows)} validation images of {cache.path}")
    rows = np.sort(np.random.default_rng(seed).choice(rows, size=num_images, replace=False))
    originals = np.asarray(cache.images[rows])
    result = [("original", originals)]
    for run in (run_a, run_b):
        model = load_model(run, device)
        config = model.config
        if (config.image_size, config.channels) != (cache.image_size, cache.channels):
            raise ZspaceError(f"{run}: its model takes {config.image_size}px x {config.channels} channels, the "
                              f"images of {cache.path} are {cache.image_size}px x {cache.channels}; "
                              "compare runs trained on the same image size")
        label = f"{run.name} ({config.model}, z {config.latent_dim})"
        result.append((label, reconstruct(model, originals, device=device, progress=progress)))
    return result
