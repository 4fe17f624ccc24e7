"""Reconstructions of the same images by two runs, side by side (seed S19).

The seed compares an AE with z_dim 1600 (sharp) against a VAE with z_dim 256
(blurrier: the KL term costs detail). Each row is labelled with the run.
"""

from __future__ import annotations

import os

import numpy as np

from zspace.errors import ZspaceError
from zspace.models.inference import reconstruct
from zspace.progress import Progress
from zspace.run import Run


def compare_reconstructions(
    run_a: str | os.PathLike | Run, run_b: str | os.PathLike | Run, num_images: int = 8, seed: int = 0,
    data: str | os.PathLike | None = None, device: str = "cpu", progress: Progress | None = None,
) -> list[tuple[str, np.ndarray]]:
    """[('original', images), ('<run_a name>', recon), ('<run_b name>', recon)] for ``num_images`` held-out images.

    The images are drawn (seeded) from the validation split of ``data``
    (default: the cache run A trained on); both models must take its size.
    """
    if num_images < 1:
        raise ZspaceError(f"num_images={num_images} is not allowed; compare needs at least 1 image")
    runs = [(r if isinstance(r, Run) else Run(r)).require() for r in (run_a, run_b)]
    cache = runs[0].cache(data)
    rows = cache.rows("val")
    if len(rows) == 0:
        rows = np.arange(len(cache))
    if num_images > len(rows):
        raise ZspaceError(f"num_images={num_images} exceeds the {len(rows)} validation images of {cache.path}")
    rows = np.sort(np.random.default_rng(seed).choice(rows, size=num_images, replace=False))
    originals = np.asarray(cache.images[rows])
    result = [("original", originals)]
    for run in runs:
        config = run.model_config()
        if (config.image_size, config.channels) != (cache.image_size, cache.channels):
            raise ZspaceError(f"{run.path}: its model takes {config.image_size}px x {config.channels} channels, the "
                              f"images of {cache.path} are {cache.image_size}px x {cache.channels}; "
                              "compare runs trained on the same image size")
        label = f"{run.name} ({config.model}, z {config.latent_dim})"
        result.append((label, reconstruct(run.model(device), originals, device=device, progress=progress)))
    return result
