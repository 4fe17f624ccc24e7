"""Rows of images with a label written beside each row (sweep values, factors, run names)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zspace.generation import image_grid


def labelled_rows(rows: list[tuple[str, np.ndarray]], padding: int = 2, scale: int = 1,
                  label_width: int | None = None, background: int = 255) -> Image.Image:
    """[(label, uint8 (m, H, W, C)), ...] -> one picture: each row's images in a line, its label at the left.

    Rows may hold different numbers of images; the picture is as wide as the longest row.
    """
    font = ImageFont.load_default()
    lines = [image_grid(images, columns=len(images), padding=padding, scale=scale, background=background)
             for _label, images in rows]
    mode = "L" if lines[0].mode == "L" else "RGB"
    measure = ImageDraw.Draw(Image.new(mode, (1, 1)))
    text_width = max(measure.textlength(label, font=font) for label, _images in rows)
    label_width = label_width if label_width is not None else int(text_width) + 8
    width = label_width + max(line.width for line in lines)
    height = sum(line.height for line in lines)
    picture = Image.new(mode, (width, height), background if mode == "L" else (background,) * 3)
    draw = ImageDraw.Draw(picture)
    top = 0
    for (label, _images), line in zip(rows, lines, strict=True):
        picture.paste(line.convert(mode), (label_width, top))
        draw.text((4, top + line.height // 2), label, fill=0 if mode == "L" else (0, 0, 0), font=font, anchor="lm")
        top += line.height
    return picture
