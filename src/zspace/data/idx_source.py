"""A data source from IDX files: an image array and, optionally, a label array.

Also home of :func:`array_source`, the in-memory source builder that the IDX,
Fashion-MNIST and digits sources share: the arrays are small enough to hold
in memory, and resizing happens per ``read`` range so that the whole resized
set is never held at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from zspace.data.idx import read_idx
from zspace.data.resize import check_size, resize_batch
from zspace.data.source import ImageSource
from zspace.errors import ZspaceError


def idx_source(
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike | None = None,
    size: int | None = None,
) -> ImageSource:
    """Images (N,H,W) or (N,H,W,C) from an IDX file, with optional (N,) labels.

    uint8 images are used as they are; float images with every value in
    [0, 1] are scaled to 0..255; anything else is a ZspaceError. ``size=None``
    keeps the native size, else each image is centre-cropped and resized to
    ``size`` x ``size`` (see :mod:`zspace.data.resize`).
    """
    images_path = Path(images_path)
    images = to_uint8_images(images_path, read_idx(images_path))
    index = {"source_id": row_ids(images_path.name, len(images))}
    details: dict[str, Any] = {"images": str(images_path)}
    if labels_path is not None:
        labels_path = Path(labels_path)
        index["label"] = read_labels(labels_path, len(images), images_path)
        details["labels"] = str(labels_path)
    return array_source("idx", images, index, size, details)


def array_source(
    name: str,
    images: np.ndarray,
    index: dict[str, np.ndarray],
    size: int | None = None,
    details: dict[str, Any] | None = None,
) -> ImageSource:
    """An ImageSource over uint8 images (N,H,W,C) held in memory, resized per read."""
    count, height, width, channels = images.shape
    if size is not None:
        size = check_size(size)
        height = width = size
    details = {**(details or {}), "size": size, "native_size": list(images.shape[1:3])}

    def read(start: int, stop: int) -> np.ndarray:
        check_rows(start, stop, count)
        chunk = images[start:stop]
        return chunk.copy() if size is None else resize_batch(chunk, size)

    return ImageSource(name, count, height, width, channels, index, read, details)


def to_uint8_images(path: Path, array: np.ndarray) -> np.ndarray:
    """Check an image array read from ``path`` and return it as uint8 (N,H,W,C)."""
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[3] not in (1, 3, 4) or 0 in array.shape:
        raise ZspaceError(
            f"{path}: images must be (N,H,W) or (N,H,W,C) with 1, 3 or 4 channels and no "
            f"empty dimension, not shape {array.shape}"
        )
    if array.dtype == np.uint8:
        return array
    in_unit_range = np.isfinite(array).all() and 0 <= array.min() <= array.max() <= 1
    if array.dtype.kind == "f" and in_unit_range:
        return np.rint(array * 255).astype(np.uint8)
    raise ZspaceError(
        f"{path}: images must be uint8, or float with every value in [0, 1], not {array.dtype} "
        f"ranging {array.min()}..{array.max()}; convert the file"
    )


def read_labels(path: Path, count: int, images_path: Path) -> np.ndarray:
    """Integer labels (count,) from an IDX file, as int64."""
    labels = read_idx(path)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ZspaceError(f"{path}: labels must be a 1-D integer array, not {labels.dtype} of shape {labels.shape}")
    if len(labels) != count:
        raise ZspaceError(
            f"{path}: has {len(labels)} labels but {images_path.name} has {count} images; "
            "pass the label file that belongs to these images"
        )
    return labels.astype(np.int64)


def row_ids(prefix: str, count: int, width: int | None = None) -> np.ndarray:
    """``prefix:00000``-style ids, zero-padded so that they sort in row order."""
    width = width or len(str(max(count - 1, 0)))
    return np.array([f"{prefix}:{i:0{width}d}" for i in range(count)], dtype=str)


def check_rows(start: int, stop: int, count: int) -> None:
    """Refuse a read range outside ``0 <= start <= stop <= count``."""
    if not 0 <= start <= stop <= count:
        raise ValueError(f"cannot read rows {start}:{stop} of a source with {count} images")
