"""Pictures made of decoded images: grids, labelled rows, PNG files (seed S16-S20).

These are plain PIL pictures of uint8 (n, H, W, C) arrays, saved atomically;
matplotlib figures of the analysis live beside them in this package.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zspace.io import atomic_path


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


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's own scalable font (no system fonts needed); the old bitmap font where FreeType is missing."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):
        return ImageFont.load_default()


def labelled_rows(rows: list[tuple[str, np.ndarray]], padding: int = 2, scale: int = 1,
                  label_width: int | None = None, background: int = 255, title: str | None = None,
                  column_labels: list[str] | None = None) -> Image.Image:
    """[(label, uint8 (m, H, W, C)), ...] -> one picture: each row's images in a line, its label at the left.

    Rows may hold different numbers of images; the picture is as wide as the longest row.
    ``title`` goes above everything, ``column_labels`` above the columns (one per image of a row).
    """
    font = _font(11 + 2 * scale)
    lines = [image_grid(images, columns=len(images), padding=padding, scale=scale, background=background)
             for _label, images in rows]
    mode = "L" if lines[0].mode == "L" else "RGB"
    ink = 0 if mode == "L" else (0, 0, 0)
    measure = ImageDraw.Draw(Image.new(mode, (1, 1)))
    text_height = int(measure.textbbox((0, 0), "Ag", font=font)[3]) + 6
    text_width = max(measure.textlength(label, font=font) for label, _images in rows)
    label_width = label_width if label_width is not None else int(text_width) + 10
    title_height = text_height if title else 0
    header_height = text_height if column_labels else 0
    width = label_width + max(line.width for line in lines)
    if title:
        width = max(width, int(measure.textlength(title, font=font)) + 8)
    height = title_height + header_height + sum(line.height for line in lines)
    picture = Image.new(mode, (width, height), background if mode == "L" else (background,) * 3)
    draw = ImageDraw.Draw(picture)
    if title:
        draw.text((4, title_height // 2), title, fill=ink, font=font, anchor="lm")
    if column_labels:
        cell = (rows[0][1].shape[2] * scale) + padding * scale
        for k, text in enumerate(column_labels):
            centre = label_width + padding * scale + k * cell + rows[0][1].shape[2] * scale // 2
            draw.text((centre, title_height + header_height // 2), text, fill=ink, font=font, anchor="mm")
    top = title_height + header_height
    for (label, _images), line in zip(rows, lines, strict=True):
        picture.paste(line.convert(mode), (label_width, top))
        draw.text((4, top + line.height // 2), label, fill=ink, font=font, anchor="lm")
        top += line.height
    return picture
