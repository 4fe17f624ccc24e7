"""From a point on the 2-D map back to a latent vector the decoder can draw.

A PCA plane has an exact inverse: the map point (u, v) on axes (a, b) is the latent vector

    z = mean + u * axis_a + v * axis_b

whose projection on the plane is (u, v) again, and whose other principal coordinates are zero
(the centre of the data along every other axis).

A t-SNE or UMAP map has no inverse. We interpolate the latent vectors of the ``k`` nearest map
points with inverse-distance weights (Shepard's method, power 2):

    z = sum_i w_i z_i / sum_i w_i,    w_i = 1 / d_i^2

where d_i is the map distance from the click to map point i. A click on a point returns that
point's latent. Far from every point the weights flatten and z drifts towards the mean of
the neighbours: the map cannot say what the model puts in a void, so the answer says how far the
click is from the data. ``distance`` is the map distance to the nearest point, and ``ratio`` that
distance over the map's typical spacing (median nearest-neighbour distance between map points);
a click is in a "void" when the ratio is above ``VOID_RATIO``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.analysis.pca import PCAResult
from zspace.explore.maps import MapView

NEIGHBOURS = 8
POWER = 2.0
VOID_RATIO = 3.0


@dataclass
class InversePoint:
    latent: np.ndarray  # (d,) float32
    exact: bool  # True on a PCA plane
    nearest_row: int  # the data row whose map point is nearest the click
    distance: float  # normalised map units to that point
    ratio: float  # distance / the map's typical spacing
    rows: list[int]  # rows interpolated (t-SNE/UMAP), nearest first
    weights: list[float]  # their normalised weights

    @property
    def void(self) -> bool:
        return self.ratio > VOID_RATIO


def invert(view: MapView, x: float, y: float, vectors: np.ndarray, pca: PCAResult,
           neighbours: int = NEIGHBOURS) -> InversePoint:
    """The latent vector at the normalised map point (x, y); see the module docstring."""
    k = min(neighbours, view.count)
    distances, points = view.tree().query([x, y], k=k)
    distances, points = np.atleast_1d(distances), np.atleast_1d(points)
    rows = view.rows[points]
    spacing = view.spacing()
    nearest = float(distances[0])
    if view.axes is not None:
        u, v = view.to_map(x, y)
        a, b = view.axes
        latent = pca.mean + u * pca.components[a] + v * pca.components[b]
        return InversePoint(latent.astype(np.float32), True, int(rows[0]), nearest, nearest / spacing, [], [])
    if nearest <= 1e-12:  # on a point: its own latent
        weights = np.zeros(k)
        weights[0] = 1.0
    else:
        weights = 1.0 / distances**POWER
        weights /= weights.sum()
    order = np.argsort(rows)  # read the memmap in row order
    latents = np.asarray(vectors[rows[order]], dtype=np.float64)  # (k, d)
    latent = weights[order] @ latents
    return InversePoint(latent.astype(np.float32), False, int(rows[0]), nearest, nearest / spacing,
                        [int(r) for r in rows], [float(w) for w in weights])
