"""Sprite tiles: the thumbnails of 256 points in one PNG, so the page can draw images in place of dots.

A map's tile t holds its points ``t*256 .. t*256+255`` *in the order of the map's k-d tree* (the
KDBush ids the page already has, see spatial_index.py): that order keeps neighbours on the map
together, so the few thousand points of a zoomed-in window come from a few dozen tiles even on a
million-point map (tiles by row number would need one tile per point there: rows close on a map
are not close in number). Without a map, tile t holds rows ``t*256 .. t*256+255``. Point p of the
tile (0..255) sits at column ``p % 16``, line ``p // 16``, each thumbnail resized to ``size`` x
``size`` (16, 32 or 64 px; bilinear with PIL's antialiasing when shrinking). Always RGBA: grey
images are repeated on three channels, and the cells past the last row are transparent. A tile
costs one read of 256 rows and one PNG encode (milliseconds); the last :data:`CACHE_BYTES` of PNGs
made are kept (least recently used dropped first), so panning back and forth reads each tile once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from PIL import Image

from zspace.arrays import read_rows
from zspace.explore.data import png_bytes

SIDE = 16  # thumbnails per tile side
TILE_ROWS = SIDE * SIDE
SIZES = (16, 32, 64)
DEFAULT_SIZE = 32
CACHE_BYTES = 64 * 2**20


def tile_count(rows: int) -> int:
    return -(-rows // TILE_ROWS)


def resized(image: np.ndarray, size: int) -> np.ndarray:
    """uint8 (H, W, C) -> (size, size, 4) RGBA, opaque."""
    rgb = np.repeat(image, 3, axis=-1) if image.shape[-1] == 1 else image[..., :3]
    if rgb.shape[:2] != (size, size):
        rgb = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize((size, size), Image.Resampling.BILINEAR))
    return np.concatenate([rgb, np.full((size, size, 1), 255, dtype=np.uint8)], axis=-1)


def tile_rows(tile: int, count: int, order: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """The image rows of tile ``tile``: of a map (its points in tree ``order``, their ``rows``), else of the cache."""
    if order is None:
        return np.arange(tile * TILE_ROWS, min((tile + 1) * TILE_ROWS, count))
    return rows[order[tile * TILE_ROWS:(tile + 1) * TILE_ROWS]]


def sprite_tile(images: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """uint8 (16*size, 16*size, 4): the thumbnails of ``images[rows]`` (at most 256); see the module docstring."""
    block = read_rows(images, rows)
    out = np.zeros((SIDE * size, SIDE * size, 4), dtype=np.uint8)
    for k, image in enumerate(block):
        line, column = divmod(k, SIDE)
        out[line * size:(line + 1) * size, column * size:(column + 1) * size] = resized(image, size)
    return out


class SpriteTiles:
    """PNG sprite tiles of one run's images, made on request and kept in a least-recently-used cache."""

    def __init__(self, images: np.ndarray, cache_bytes: int = CACHE_BYTES) -> None:
        self.images = images
        self.cache_bytes = cache_bytes
        self._made: OrderedDict[tuple[str | None, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, view=None) -> int:
        """Tiles of ``view`` (a MapView: its points in tree order), else of the cache's rows."""
        return tile_count(len(self.images) if view is None else view.count)

    def png(self, tile: int, size: int, view=None) -> bytes:
        key = (None if view is None else view.name, tile, size)
        with self._lock:
            if key in self._made:
                self._made.move_to_end(key)
                return self._made[key]
        rows = (tile_rows(tile, len(self.images)) if view is None
                else tile_rows(tile, view.count, view.tree_order(), view.rows))
        body = png_bytes(sprite_tile(self.images, rows, size))
        with self._lock:
            self._made[key] = body
            while sum(len(b) for b in self._made.values()) > self.cache_bytes and len(self._made) > 1:
                self._made.popitem(last=False)
        return body
