"""The encode-decode cycle of latent points: encode(decode(z)), and how far it lands from z.

An autoencoder maps its own image manifold back near where it came from; a z the
decoder cannot make a sensible image from comes back elsewhere (the latent
consistency used to spot off-manifold codes, e.g. Ghosh et al. 2020, sec. 6).
The relative cycle error ‖encode(decode(z)) − z‖ / ‖z‖ is the per-point score of
the evaluation's ``cycle_error`` (its median) and of the structure link's quality.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zspace.models.inference import decode, encode


def cycle_errors(model: Any, z: np.ndarray, images: np.ndarray | None = None, batch_size: int = 256,
                 device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """(encode(decode(z)) (n, d), relative cycle error ‖encode(decode(z)) − z‖ / ‖z‖ (n,), NaN where z = 0).

    ``images``: decode(z) when already made (uint8, row-aligned with z), so it is not decoded twice.
    """
    z = np.asarray(z, dtype=np.float32)  # (n, d)
    images = decode(model, z, batch_size, device) if images is None else images
    back, _ = encode(model, images, batch_size=batch_size, device=device)  # (n, d)
    norms = np.linalg.norm(z, axis=1)
    return back, np.linalg.norm(back - z, axis=1) / np.where(norms > 0, norms, np.nan)
