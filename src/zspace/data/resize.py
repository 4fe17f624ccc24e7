"""The one image-resizing policy every data source uses.

Centre-crop to a square (of ``crop`` pixels when given and it fits, else the
largest centred square), then resize to ``size`` x ``size`` with Lanczos.
Keeping this in one place means a model trained on one source sees the same
kind of pixels as on any other.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from zspace.errors import ZspaceError

# Lanczos is antialiased: when shrinking, it averages over every source pixel
# under its (scaled) kernel, so fine texture does not turn into aliasing
# patterns or moire the way nearest/bilinear subsampling does. Shrinking is
# the common case here (photos to 64 px), and aliasing is structure a model
# would learn that is not in the scene.
RESAMPLE = Image.Resampling.LANCZOS

_CHANNELS = (1, 3, 4)  # grey, RGB, RGBA: what PIL resamples with Lanczos


def check_size(value: object, what: str = "size") -> int:
    """Return ``value`` as a positive int, or raise ZspaceError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ZspaceError(f"{what} must be a positive whole number of pixels, not {value!r}")
    return int(value)


def square_box(width: int, height: int, crop: int | None = None) -> tuple[int, int, int, int]:
    """The centred square (left, top, right, bottom) that :func:`to_square` keeps."""
    side = min(width, height)
    if crop is not None and check_size(crop, "crop") <= side:
        side = crop
    left, top = (width - side) // 2, (height - side) // 2
    return (left, top, left + side, top + side)


def to_square(image: Image.Image, size: int, crop: int | None = None) -> Image.Image:
    """Centre-crop ``image`` to a square, then resize it to ``size`` x ``size``.

    The crop is ``crop`` x ``crop`` when given and no larger than the image's
    shorter side, else the largest centred square. Convert palette or 1-bit
    images to "L" or "RGB" first: PIL resizes those with nearest-neighbour.
    """
    size = check_size(size)
    box = square_box(image.width, image.height, crop)
    # Crop first rather than resize(box=...): with a box, PIL's kernel still
    # reads pixels outside it, so colour from the cropped-away edges bleeds in.
    square = image.crop(box)
    return square if square.width == size else square.resize((size, size), RESAMPLE)


def resize_batch(images: np.ndarray, size: int, crop: int | None = None) -> np.ndarray:
    """Apply :func:`to_square` to each uint8 image of (n,H,W) or (n,H,W,C) with C in 1, 3, 4.

    Returns uint8 of shape (n, size, size, C); C is 1 for (n,H,W) input.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[3] not in _CHANNELS or images.dtype != np.uint8:
        raise ZspaceError(
            f"cannot resize images of shape {images.shape} and dtype {images.dtype}; "
            "give uint8 (n,H,W) or (n,H,W,C) with 1, 3 or 4 channels"
        )
    size = check_size(size)
    channels = images.shape[3]
    out = np.empty((len(images), size, size, channels), dtype=np.uint8)
    for i, image in enumerate(images):
        # fromarray infers L / RGB / RGBA from the shape (its mode= argument is deprecated).
        pil = Image.fromarray(np.ascontiguousarray(image[..., 0] if channels == 1 else image))
        out[i] = np.asarray(to_square(pil, size, crop)).reshape(size, size, channels)
    return out
