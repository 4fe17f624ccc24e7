"""Pictures inside one HTML file: PNGs as data URIs, downscaled so the report stays small.

A report must open offline and travel as one file, so every picture is embedded.
Large PNGs (scatter plots at 110 dpi, sample grids) are downscaled to a maximum
width and re-encoded; the report says when it did so.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MAX_WIDTH = 1000  # px: sharp on a laptop screen and on A4 at print resolution


@dataclass(frozen=True)
class Picture:
    """An embedded picture: its data URI, pixel size, and whether it was downscaled from the file."""

    uri: str
    width: int
    height: int
    downscaled: bool
    caption: str = ""


def _png(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=6)  # optimize=True is 10x slower for ~10 % less
    return buffer.getvalue()


def _encode(picture: Image.Image, palette: bool = True) -> str:
    """PNG bytes as a data URI; a 256-colour palette when that is much smaller.

    Figures (lines, text, heat maps) lose nothing visible in a palette and shrink 2-4x;
    photographs and sample grids mostly keep their full colours (the palette is only
    used when it saves at least a third).
    """
    data = _png(picture)
    if palette and picture.mode in ("RGB", "RGBA"):
        reduced = _png(picture.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE))
        if len(reduced) < 0.66 * len(data):
            data = reduced
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def embed_png(path: str | os.PathLike, caption: str = "", max_width: int = MAX_WIDTH) -> Picture:
    """A PNG file as a data URI, downscaled (high-quality) when wider than ``max_width``."""
    with Image.open(Path(path)) as picture:
        picture.load()
        downscaled = picture.width > max_width
        if downscaled:
            height = round(picture.height * max_width / picture.width)
            picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
            picture = picture.resize((max_width, height), Image.Resampling.LANCZOS)
        return Picture(_encode(picture), picture.width, picture.height, downscaled, caption)


def embed_array(images: np.ndarray, caption: str = "") -> Picture:
    """A uint8 (H, W, C) or (H, W) array as a data URI."""
    array = np.asarray(images, dtype=np.uint8)
    picture = Image.fromarray(array[..., 0] if array.ndim == 3 and array.shape[2] == 1 else array)
    return Picture(_encode(picture, palette=False), picture.width, picture.height, False, caption)
