"""Density contrast of zoomed PCA planes: the share of empty cells, the seed's "voids" in numbers (SPEC S12).

The seed projected the centred cloud on planes of two principal axes (1-2,
1-18, 8-35) and zoomed into squares around the centre until "filaments and
voids" appeared. Here each zoom window is cut into ``cells`` x ``cells``
squares and the statistic is the share of squares holding no point. A
Gaussian of the same covariance and N, zoomed the same way, shows empty cells
too (fewer points per cell as the window shrinks): only an excess over the
null means voids.

Windows: squares of side ``zoom * sigma`` (sigma = the standard deviation on
the plane's first axis, so the windows scale with the data), centred at the
cloud's mean ("centre") and, for all but the widest zoom, at the densest cell
of the widest window ("densest": where a filament or clump would be). Each
cloud gets the same procedure, its own densest cell included, so data and null
draws stay exchangeable. Every cloud is projected on the data's principal
axes, which are the null's too (same covariance).
"""

from __future__ import annotations

import numpy as np

# The seed's planes, 1-based principal axes as in its figures.
SEED_PLANES = ((1, 2), (1, 18), (8, 35))


def plane_name(plane: tuple[int, int], position: str, zoom: float) -> str:
    return f"empty_cells_pca{plane[0]}-{plane[1]}_{position}_zoom{zoom:g}"


def usable_planes(planes: tuple[tuple[int, int], ...], dim: int, rank: int) -> list[tuple[int, int]]:
    """The 1-based planes whose axes exist and carry variance (axis <= min(d, rank))."""
    top = min(dim, rank)
    return [tuple(p) for p in planes if 1 <= p[0] <= top and 1 <= p[1] <= top and p[0] != p[1]]


def cell_counts(coordinates: np.ndarray, centre: np.ndarray, side: float, cells: int) -> np.ndarray:
    """Points per cell (cells, cells) of the square of ``side`` around ``centre`` (points outside ignored)."""
    low = centre - side / 2
    edges = [np.linspace(low[0], low[0] + side, cells + 1), np.linspace(low[1], low[1] + side, cells + 1)]
    counts, _, _ = np.histogram2d(coordinates[:, 0], coordinates[:, 1], bins=edges)
    return counts


def densest_centre(coordinates: np.ndarray, side: float, cells: int) -> np.ndarray:
    """Centre of the cell with the most points in the square of ``side`` around the origin (ties: first)."""
    counts = cell_counts(coordinates, np.zeros(2), side, cells)
    i, j = np.unravel_index(int(np.argmax(counts)), counts.shape)
    width = side / cells
    return np.array([-side / 2 + (i + 0.5) * width, -side / 2 + (j + 0.5) * width])


def empty_cell_shares(cloud: np.ndarray, mean: np.ndarray, components: np.ndarray, sigmas: np.ndarray,
                      planes: list[tuple[int, int]], zooms: tuple[float, ...], cells: int,
                      chunk: int = 16384) -> dict[str, float]:
    """``{plane_name: share of empty cells}`` of one cloud (N, d) on every plane, zoom and position.

    ``components`` (d, d) rows = principal axes; ``sigmas`` (d,) their standard deviations.
    """
    axes = sorted({axis - 1 for plane in planes for axis in plane})
    projection = np.empty((len(cloud), len(axes)))
    basis = components[axes].T  # (d, a)
    for start in range(0, len(cloud), chunk):
        projection[start:start + chunk] = (np.asarray(cloud[start:start + chunk], dtype=np.float64) - mean) @ basis
    column = {axis: k for k, axis in enumerate(axes)}
    widest = max(zooms)
    shares: dict[str, float] = {}
    for plane in planes:
        coordinates = projection[:, [column[plane[0] - 1], column[plane[1] - 1]]]  # (N, 2)
        sigma = float(sigmas[plane[0] - 1])
        densest = densest_centre(coordinates, widest * sigma, cells)
        for zoom in zooms:
            side = zoom * sigma
            counts = cell_counts(coordinates, np.zeros(2), side, cells)
            shares[plane_name(plane, "centre", zoom)] = float(np.mean(counts == 0))
            if zoom != widest:
                counts = cell_counts(coordinates, densest, side, cells)
                shares[plane_name(plane, "densest", zoom)] = float(np.mean(counts == 0))
    return shares
