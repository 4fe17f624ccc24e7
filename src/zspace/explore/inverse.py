"""From a point on the 2-D map back to a latent vector the decoder can draw.

A PCA plane has an exact inverse: the map point (u, v) on axes (a, b) is the latent vector

    z = mean + u * axis_a + v * axis_b

whose projection on the plane is (u, v) again, and whose other principal coordinates are zero
(the centre of the data along every other axis).

A t-SNE or UMAP map has no inverse. We interpolate the latent vectors of the nearest map points
with one of the local smoothers of inverse_methods.py (inverse-distance weighting, Gaussian kernel
regression, or a local linear fit; ``DEFAULT_METHOD`` is the one with the lowest held-out error,
measured by inverse_study.py). A click exactly on a point returns that point's latent. Far from
every point the answer drifts towards the neighbours' mean: the map cannot say what the model puts
in a void, so the answer says how far the click is from the data. ``distance`` is the map distance
to the nearest point, and ``ratio`` that distance over the map's typical spacing (median
nearest-neighbour distance between map points); a click is in a "void" when the ratio is above
``VOID_RATIO``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from zspace.analysis.pca import PCAResult
from zspace.explore.inverse_methods import DEFAULT_METHOD, interpolate, smoother
from zspace.explore.maps import MapView

VOID_RATIO = 3.0
MOST_POINTS = 100_000  # points of one invert_many call (the atlas asks for n x n <= 576)


@dataclass
class InversePoint:
    latent: np.ndarray  # (d,) float32
    exact: bool  # True on a PCA plane
    nearest_row: int  # the data row whose map point is nearest the click
    distance: float  # normalised map units to that point
    ratio: float  # distance / the map's typical spacing
    rows: list[int]  # rows interpolated (t-SNE/UMAP), nearest first
    weights: list[float]  # their weights (sum 1; a local linear fit's may be negative)
    method: str = "exact"  # "exact" on a PCA plane, else the inverse_methods method

    @property
    def void(self) -> bool:
        return self.ratio > VOID_RATIO


def plane_latents(view: MapView, xy: np.ndarray, pca: PCAResult) -> np.ndarray:
    """(m, d) float64 exact inverse of normalised points ``xy`` (m, 2) on the PCA plane ``view``."""
    a, b = view.axes
    units = view.centre + view.scale * np.asarray(xy, dtype=np.float64).reshape(-1, 2)  # map units
    return pca.mean + units[:, :1] * pca.components[a] + units[:, 1:] * pca.components[b]


def invert(view: MapView, x: float, y: float, vectors: np.ndarray, pca: PCAResult,
           neighbours: int | None = None, method: str | None = None) -> InversePoint:
    """The latent vector at the normalised map point (x, y); see the module docstring.

    ``method`` (t-SNE/UMAP maps): one of inverse_methods.METHODS, default ``DEFAULT_METHOD``;
    ``neighbours``: how many map points it uses instead of the method's own number.
    """
    tree = view.tree()
    spacing = view.spacing()
    if view.axes is not None:
        distance, point = tree.query([x, y], k=1)
        latent = plane_latents(view, [x, y], pca)[0]
        return InversePoint(latent.astype(np.float32), True, int(view.rows[point]), float(distance),
                            float(distance) / spacing, [], [])
    chosen = smoother(method or DEFAULT_METHOD, spacing)
    if neighbours is not None:
        chosen = replace(chosen, neighbours=max(1, int(neighbours)))
    found = interpolate(chosen, tree, tree.data, view.rows, vectors, np.array([[x, y]]))
    rows = view.rows[found.points[0]]
    nearest = float(found.nearest[0])
    return InversePoint(found.latents[0].astype(np.float32), False, int(rows[0]), nearest, nearest / spacing,
                        [int(r) for r in rows], [float(w) for w in found.weights[0]], chosen.method)


def invert_many(view: MapView, xy: np.ndarray, vectors: np.ndarray, pca: PCAResult,
                method: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Latents (m, d) float32 and ratios (m,) at the normalised points ``xy`` (m, 2), in one vectorised pass.

    The same answers as :func:`invert` point by point (exact on a PCA plane, else ``method``, by
    default ``DEFAULT_METHOD``); for the decoded atlas, whose n x n points cost milliseconds.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) > MOST_POINTS:
        raise ValueError(f"invert_many: {len(xy):,} points at once; at most {MOST_POINTS:,}")
    tree = view.tree()
    spacing = view.spacing()
    if view.axes is not None:
        distances, _ = tree.query(xy, k=1)
        return plane_latents(view, xy, pca).astype(np.float32), np.asarray(distances, dtype=np.float64) / spacing
    found = interpolate(smoother(method or DEFAULT_METHOD, spacing), tree, tree.data, view.rows, vectors, xy)
    return found.latents.astype(np.float32), found.nearest / spacing
