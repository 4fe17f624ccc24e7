"""A decoded atlas of a map window: what the decoder draws at every point of an n x n grid, voids included.

The window (x0, y0)-(x1, y1) is in normalised map units (what the page shows). It is cut into n x n
equal cells; cell (i, j) (line i from the top, column j from the left) is decoded at its centre

    x = x0 + (j + 1/2) (x1 - x0) / n,    y = y1 - (i + 1/2) (y1 - y0) / n

in row-major order from the top-left corner. On a PCA plane the latent point is the plane's exact
inverse (inverse.py: the mean plus u and v along the two axes); on a t-SNE or UMAP map it is the
explorer's inverse of the map (inverse.py's ``invert_many``), which can only interpolate between
data, so each cell carries its distance ratio (distance to the nearest map point over the map's
typical spacing), whether it lies in a void, and the inverse's expected error at that ratio.
All n*n latents are decoded in one batch; the route lays the images edge to edge in one picture
(report/grids.py's ``image_grid`` with no padding).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from zspace.analysis.pca import PCAResult
from zspace.explore.inverse import VOID_RATIO, invert_many
from zspace.explore.maps import MapView

DEFAULT_CELLS = 12
MIN_CELLS = 2
MAX_CELLS = 24


def window_grid(x0: float, y0: float, x1: float, y1: float, n: int) -> np.ndarray:
    """(n*n, 2) float64 cell centres of the window, row-major from the top-left (y1) corner."""
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y1 - (np.arange(n) + 0.5) * (y1 - y0) / n
    grid_x, grid_y = np.meshgrid(xs, ys)  # (n, n): line i is ys[i], column j is xs[j]
    return np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)


@dataclass
class Atlas:
    n: int
    exact: bool
    points: np.ndarray  # (n*n, 2) normalised cell centres
    latents: np.ndarray  # (n*n, d) float32
    ratios: np.ndarray  # (n*n,) distance to the nearest map point / typical spacing
    images: np.ndarray  # (n*n, H, W, C) uint8 decoded

    @property
    def void(self) -> np.ndarray:
        return self.ratios > VOID_RATIO

    def cells(self, expected: Callable[[float], dict | None]) -> list[dict]:
        """One dict per cell: its centre, ratio, void flag and the inverse's expected error there (None when exact)."""
        return [{"x": float(x), "y": float(y), "ratio": float(r), "void": bool(v),
                 "expected_error": None if self.exact else expected(float(r))}
                for (x, y), r, v in zip(self.points, self.ratios, self.void, strict=True)]


def decoded_atlas(view: MapView, window: tuple[float, float, float, float], n: int, vectors: np.ndarray,
                  pca: PCAResult, decode: Callable[[np.ndarray], np.ndarray]) -> Atlas:
    """Decode the n x n grid over ``window`` (x0, y0, x1, y1) of ``view``; see the module docstring."""
    points = window_grid(*window, n)
    latents, ratios = invert_many(view, points, vectors, pca)
    return Atlas(n, view.exact, points, np.asarray(latents, dtype=np.float32), np.asarray(ratios, dtype=np.float64),
                 decode(latents))
