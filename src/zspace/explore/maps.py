"""The 2-D maps the explorer draws: PCA planes (always) and the t-SNE/UMAP maps ``zspace analyze`` saved.

Every map is a list of points, each the image of one row of the latents: ``rows[i]`` is the row
of map point ``i``. A PCA plane holds every row; a t-SNE or UMAP map holds the rows the analysis
embedded (a subsample when it was asked for one).

Coordinates go to the browser *normalised*: centred and divided by one scale so that the larger
side spans [-1, 1] (WebGL's clip space, which regl-scatterplot expects), the aspect ratio kept.
The server keeps the centre and scale, so a click in normalised units turns back into map units
(:meth:`MapView.to_map`) and, for a PCA plane, into the exact latent point (see inverse.py).

Nothing here recomputes an analysis: PCA axes come from RUN/analysis (pca_mean.npy, pca_axes.npy)
when saved there, else from the latents once at start (see :func:`fit_pca`); t-SNE/UMAP maps are
read from their saved ``<name>_coordinates.npy`` and ``<name>_rows.npy`` only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from zspace.analysis.pca import PCAResult, pca_from_covariance
from zspace.analysis.tsne import EmbeddingMap
from zspace.explore.spatial_index import kdbush_bytes, kdbush_order

CHUNK_ROWS = 65_536
PCA_FIT_ROWS = 200_000  # rows used for the axes when the analysis saved none
SPACING_SAMPLE = 2_000  # points whose nearest-neighbour distance gives a map's typical spacing
SAVED_MAP = re.compile(r"^(tsne|umap)(_pca\d+)?$")
# PCA planes offered (1-based axes): the first three axes, then the seed's planes 1-18 and 8-35 (S12).
PCA_PLANES = ((1, 2), (1, 3), (2, 3), (1, 18), (8, 35))


@dataclass
class MapView:
    """One 2-D map: which row each point is, where it lies, and how to turn a click back into map units."""

    name: str  # "pca-1-2", "tsne", "tsne_pca10", "umap": the id the browser asks for
    title: str
    method: str  # "pca", "tsne" or "umap"
    rows: np.ndarray  # (m,) int64 row of each map point
    coordinates: np.ndarray  # (m, 2) float64 in the map's own units
    axes: tuple[int, int] | None = None  # 0-based PCA axes of a PCA plane (the exact inverse)
    centre: np.ndarray = field(init=False)
    scale: float = field(init=False)
    _tree: object = field(init=False, default=None, repr=False)
    _spacing: float | None = field(init=False, default=None, repr=False)
    _spatial_index: bytes | None = field(init=False, default=None, repr=False)
    _order: np.ndarray | None = field(init=False, default=None, repr=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        low, high = self.coordinates.min(axis=0), self.coordinates.max(axis=0)
        self.centre = (low + high) / 2
        half = float(np.max(high - low)) / 2
        self.scale = half * 1.05 if half > 0 else 1.0  # a small margin: no point on the very edge

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def exact(self) -> bool:
        return self.axes is not None

    def normalised(self) -> np.ndarray:
        """(m, 2) float32 coordinates in [-1, 1], what the browser draws."""
        return ((self.coordinates - self.centre) / self.scale).astype(np.float32)

    def to_map(self, x: float, y: float) -> np.ndarray:
        """A normalised point -> map units (2,)."""
        return self.centre + self.scale * np.array([x, y], dtype=np.float64)

    def tree(self):
        """A k-d tree of the normalised points (built on first use, once)."""
        with self._lock:
            if self._tree is None:
                # scipy.spatial only for maps too large to thin by a grid
                from scipy.spatial import cKDTree

                self._tree = cKDTree(self.normalised(), balanced_tree=False, compact_nodes=False)
            return self._tree

    def spatial_index(self) -> bytes:
        """The browser's k-d tree of the normalised points (KDBush bytes, see spatial_index.py); built once."""
        with self._lock:
            if self._spatial_index is None:
                points = self.normalised()
                self._order = kdbush_order(points[:, 0], points[:, 1])
                self._spatial_index = kdbush_bytes(points[:, 0], points[:, 1], order=self._order)
            return self._spatial_index

    def tree_order(self) -> np.ndarray:
        """The map points in the order of the browser's k-d tree (KDBush ids): neighbours on the map sit
        close together in it, so 256 consecutive ones are one small region (what a sprite tile holds)."""
        self.spatial_index()
        return self._order

    def spacing(self) -> float:
        """Median distance from a map point to its nearest other map point (normalised units).

        The yardstick for "void" vs "data": a click this far from every point is among the data.
        Measured on a fixed sample of points, so it costs milliseconds even for a million.
        """
        if self._spacing is None:
            tree = self.tree()
            rng = np.random.default_rng(0)
            sample = rng.choice(self.count, size=min(SPACING_SAMPLE, self.count), replace=False)
            distances, _ = tree.query(self.normalised()[sample], k=2)
            positive = distances[:, 1][distances[:, 1] > 0]
            self._spacing = float(np.median(positive)) if len(positive) else 1e-6
        return self._spacing


def fit_pca(vectors: np.ndarray, rows: int = PCA_FIT_ROWS, seed: int = 0) -> PCAResult:
    """PCA axes of the latents, from an evenly spread sample of ``rows`` rows when there are more.

    Only used when the analysis saved no axes. A sample of 200,000 gives the leading axes to
    plotting precision; the PCA map and its inverse stay exact for whichever axes are used.
    """
    total = len(vectors)
    if total > rows:
        picked = np.sort(np.random.default_rng(seed).choice(total, size=rows, replace=False))
        sample = np.asarray(vectors[picked], dtype=np.float64)
    else:
        sample = np.asarray(vectors, dtype=np.float64)
    mean = sample.mean(axis=0)
    centred = sample - mean
    covariance = centred.T @ centred / max(len(sample) - 1, 1)
    return pca_from_covariance(mean, covariance)


def saved_pca(pca: PCAResult | None, dim: int) -> PCAResult | None:
    """The analysis' PCA when it has the latents' dimension and finite axes, else None (the caller fits its own)."""
    if pca is None:
        return None
    mean, axes, variance = (np.asarray(a, dtype=np.float64) for a in (pca.mean, pca.components,
                                                                       pca.explained_variance))
    if mean.shape != (dim,) or axes.shape != (dim, dim) or variance.shape != (dim,):
        return None
    if not (np.isfinite(mean).all() and np.isfinite(axes).all()):
        return None
    variance = np.clip(variance, 0.0, None)
    total = variance.sum()
    return PCAResult(mean, axes, variance, variance / total if total > 0 else np.zeros(dim))


def pca_planes(vectors: np.ndarray, pca: PCAResult) -> list[MapView]:
    """Every row projected on the PCA planes that the dimension allows, in one pass over the latents."""
    dim = vectors.shape[1]
    planes = [(a, b) for a, b in PCA_PLANES if max(a, b) <= dim]
    axes = sorted({axis - 1 for plane in planes for axis in plane})
    basis = pca.components[axes].astype(np.float32)  # (k, d)
    mean = pca.mean.astype(np.float32)
    projection = np.empty((len(vectors), len(axes)), dtype=np.float32)  # (N, k)
    for start in range(0, len(vectors), CHUNK_ROWS):
        chunk = np.asarray(vectors[start:start + CHUNK_ROWS], dtype=np.float32)
        projection[start:start + len(chunk)] = (chunk - mean) @ basis.T
    rows = np.arange(len(vectors), dtype=np.int64)
    views = []
    for a, b in planes:
        columns = projection[:, [axes.index(a - 1), axes.index(b - 1)]].astype(np.float64)
        views.append(MapView(f"pca-{a}-{b}", f"PCA axes {a} and {b}", "pca", rows, columns, (a - 1, b - 1)))
    return views


def saved_maps(embeddings: list[EmbeddingMap], count: int) -> tuple[list[MapView], list[str]]:
    """The analysis' t-SNE/UMAP maps that fit ``count`` rows, and a note for each one skipped."""
    views, notes = [], []
    for embedding in embeddings:
        name = embedding.name
        if not SAVED_MAP.match(name):
            continue
        coordinates, rows = np.asarray(embedding.coordinates), np.asarray(embedding.rows)
        problem = _map_problem(coordinates, rows, count)
        if problem:
            notes.append(f"{name} map skipped: {problem}")
            continue
        title = {"tsne": "t-SNE", "umap": "UMAP"}[embedding.method]
        if embedding.pca_components:
            title += f" (after PCA to {embedding.pca_components} axes)"
        views.append(MapView(name, title, embedding.method, rows.astype(np.int64), coordinates.astype(np.float64)))
    return views, notes


def _map_problem(coordinates: np.ndarray, rows: np.ndarray, count: int) -> str | None:
    if coordinates.ndim != 2 or coordinates.shape[1] != 2 or len(coordinates) < 1:
        return f"coordinates of shape {coordinates.shape} are not (m, 2)"
    if rows.shape != (len(coordinates),) or not np.issubdtype(rows.dtype, np.integer):
        return f"rows of shape {rows.shape} and dtype {rows.dtype} do not match {len(coordinates)} points"
    if rows.min() < 0 or rows.max() >= count:
        return f"rows outside 0..{count - 1}; the map belongs to other latents, analyse again"
    if not np.isfinite(coordinates).all():
        return "coordinates hold NaN or inf"
    return None
