"""What every data source hands to the image cache.

A source knows its image count and shape and its index columns up front, and
reads images in row ranges, so the cache writer can stream any size of data
into a memmap without holding it all in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ImageSource:
    """Images of one data source, read lazily in row ranges.

    ``index`` holds one array per column, each of length ``count``. It always
    has ``source_id`` (a string that names the image in the source: a file
    name, ``train:123``...). Optional columns: ``split`` ("train", "val" or
    "test", when the source defines one), ``label`` (int), and any attribute
    or factor columns (numbers). ``read(start, stop)`` returns uint8 images of
    shape ``(stop - start, height, width, channels)``.
    """

    name: str
    count: int
    height: int
    width: int
    channels: int
    index: dict[str, np.ndarray]
    read: Callable[[int, int], np.ndarray]
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "source_id" not in self.index:
            raise ValueError("an ImageSource index needs a 'source_id' column")
        for column, values in self.index.items():
            if len(values) != self.count:
                raise ValueError(f"index column {column!r} has {len(values)} rows, not {self.count}")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self.count, self.height, self.width, self.channels)
