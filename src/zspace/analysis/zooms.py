"""Zoom windows of the PCA density planes (SPEC S12; issue 11 item 13).

The seed zoomed into squares of side 5, 2, 1, 0.5 around the centre of the
cloud. Two things make that say nothing on other data: fixed sides (a cloud
of spread 30 or 0.01 shows one blob or nothing) and the centre itself (an AE's
centred cloud can be a ring, with no point at its centre). So:

- sides are in units of the data's spread on each axis (side s on axes (a, b)
  is s * sqrt(lambda_a) by s * sqrt(lambda_b)); ``units="absolute"`` keeps the
  seed's raw sides;
- every side is drawn twice: around the centre (0, 0), and around the densest
  cell, the fullest bin of a 2-D histogram whose bins are as large as the
  smallest window (so the smallest window holds that cell); the cell's centre
  is recorded, so the figure can say which cell it is. When that cell lies
  inside the smallest window around the centre, the centre zooms already show
  it and the second set is left out (the full-range window records the cell
  and ``densest_cell_apart_from_centre``).

A window is a dict: ``around`` ("full range", "centre" or "densest cell"),
``side`` (in ``units``), ``units``, ``x`` and ``y`` ([low, high] in data units).
"""

from __future__ import annotations

import numpy as np


def full_range(points: np.ndarray) -> tuple[list[float], list[float]]:
    """0.1% .. 99.9% quantiles on each axis, so a few far points do not squash the cloud."""
    low = np.quantile(points, 0.001, axis=0)
    high = np.quantile(points, 0.999, axis=0)
    high = np.where(high > low, high, low + 1.0)  # a constant axis still gets a window
    return [float(low[0]), float(high[0])], [float(low[1]), float(high[1])]


def densest_cell(points: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Centre (2,) of the fullest cell of size ``cell`` (2,) over the full range of ``points``."""
    (x0, x1), (y0, y1) = full_range(points)
    bins = [int(np.clip(np.ceil((x1 - x0) / cell[0]), 1, 2000)), int(np.clip(np.ceil((y1 - y0) / cell[1]), 1, 2000))]
    counts, xedges, yedges = np.histogram2d(points[:, 0], points[:, 1], bins=bins, range=[[x0, x1], [y0, y1]])
    i, j = np.unravel_index(int(np.argmax(counts)), counts.shape)
    return np.array([(xedges[i] + xedges[i + 1]) / 2, (yedges[j] + yedges[j + 1]) / 2])


def zoom_windows(points: np.ndarray, spread: np.ndarray, sides: list[float | None],
                 units: str = "spread") -> list[dict]:
    """The windows of one plane: the full range, then each side around the centre and around the densest cell."""
    scale = np.where(np.asarray(spread, dtype=np.float64) > 0, spread, 1.0) if units == "spread" else np.ones(2)
    windows = []
    zoomed = [s for s in sides if s is not None]
    if any(s is None for s in sides):
        x, y = full_range(points)
        windows.append({"around": "full range", "side": None, "units": units, "x": x, "y": y})
    if not zoomed or len(points) == 0:
        return windows
    dense = densest_cell(points, min(zoomed) * scale)
    # a densest cell inside the smallest centre window is already shown by the centre zooms: no second set
    apart = bool(np.any(np.abs(dense) > min(zoomed) * scale / 2))
    for window in windows:
        window.update({"densest_cell": dense.tolist(), "densest_cell_apart_from_centre": apart})
    for around, centre in (("centre", np.zeros(2)), ("densest cell", dense))[: 2 if apart else 1]:
        for side in zoomed:
            half = side * scale / 2
            windows.append({"around": around, "side": float(side), "units": units, "centre": centre.tolist(),
                            "x": [float(centre[0] - half[0]), float(centre[0] + half[0])],
                            "y": [float(centre[1] - half[1]), float(centre[1] + half[1])]})
    return windows


def count_inside(points: np.ndarray, window: dict) -> int:
    x, y = points[:, 0], points[:, 1]
    return int(np.count_nonzero((x >= window["x"][0]) & (x < window["x"][1])
                                & (y >= window["y"][0]) & (y < window["y"][1])))
