"""Sharpening of decoded images with PIL's ImageEnhance.Sharpness (seed S18).

The seed sharpens its blurry VAE faces with factor 7 and compares factors 0,
3, 6. In PIL a factor of 1 returns the image unchanged, 0 blurs it (the
smooth filter), and values above 1 add the difference to the smoothed image.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageEnhance

from zspace.errors import ZspaceError

COMPARISON_FACTORS = (0.0, 3.0, 6.0)


def sharpen(images: np.ndarray, factor: float) -> np.ndarray:
    """uint8 (n, H, W, C) -> uint8 (n, H, W, C), each image through ImageEnhance.Sharpness(factor)."""
    if not np.isfinite(factor) or factor < 0:
        raise ZspaceError(f"sharpen factor {factor} is not allowed; it must be a number >= 0 (1 = unchanged)")
    images = np.asarray(images, dtype=np.uint8)
    out = np.empty_like(images)
    for i, image in enumerate(images):
        gray = image.shape[-1] == 1
        picture = Image.fromarray(image[..., 0] if gray else image)
        sharp = np.asarray(ImageEnhance.Sharpness(picture).enhance(float(factor)))
        out[i] = sharp[..., None] if gray else sharp
    return out


def sharpen_rows(images: np.ndarray, factors: tuple[float, ...] = COMPARISON_FACTORS) -> list[tuple[str, np.ndarray]]:
    """The same images at each factor: [('sharpness 0', images), ('sharpness 3', ...), ...]."""
    return [(f"sharpness {factor:g}", sharpen(images, factor)) for factor in factors]
