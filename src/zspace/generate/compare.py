"""Reconstructions of the same images by two runs, side by side (seed S19).

The seed compares an AE with z_dim 1600 (sharp) against a VAE with z_dim 256
(blurrier: the KL term costs detail). Each row is labelled with the run.
"""

from __future__ import annotations

import os

import numpy as np

from zspace.errors import ZspaceError
from zspace.models.inference import reconstruct
from zspace.models.protocol import check_images_fit, latent_dim, model_kind
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
        model = run.model(device)
        check_images_fit(model, cache.images.shape[1:], f"{cache.path} (compared with {run.path})", ("data",))
        label = f"{run.name} ({model_kind(model)}, z {latent_dim(model)})"
        result.append((label, reconstruct(model, originals, device=device, progress=progress)))
    return result
