"""Exact Euclidean k nearest neighbours: the one search that every stage uses.

Two ways to search, for two shapes of the problem, on the same squared-distance
kernel (:func:`expanded_squared_distances`) and the same "leave a point out of
its own neighbours" rule (:func:`_drop_self`):

- :class:`NeighbourIndex` (and :func:`knn`): many queries among up to ~10^5
  reference points held in memory (the structure analysis, the latent checks
  of the evaluation, the ``knn-mix`` sampler). Every statistic of issue 12 is
  a function of the k nearest reference points of a few thousand query points
  (or probes), for the data and for each null draw. The search is exact and
  brute force, because the queries are few against many references (5,000 x
  50,000 at d = 256): a tree does not help in 256 dimensions, and a graph
  index (HNSW, NN-descent) must be built anew for every cloud, which costs more
  than the exact search it would replace (benchmarks/structure_speed.py).
  Two backends give the same neighbours:

  - ``"faiss"``: ``faiss.IndexFlatL2`` (Johnson, Douze & Jegou 2019), a BLAS
    product fused with a top-k heap; the fastest measured on 2 cores;
  - ``"numpy"``: the same algorithm in float32 chunks, ``|q|^2 - 2 q.x + |x|^2``
    by one matrix product per chunk and ``argpartition`` for the top k.

  Both work in float32 on centred data (centring leaves distances unchanged and
  removes most of the cancellation of the expanded square). The distances of the
  k neighbours found are then recomputed exactly in float64 from the vectors, so
  ratios of close distances (TwoNN's r2/r1) carry no float32 rounding.
- :func:`scan_nearest`: one query against an array too large to copy (a
  memory-mapped million-row ``latents.npy`` in the explorer), read chunk by
  chunk in float32 with the squared norms computed once; the k best of each
  chunk are merged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zspace.arrays import check_matrix
from zspace.errors import ZspaceError

BACKENDS = ("auto", "faiss", "numpy")
# About 16 MB of float32 distances per chunk of queries (argpartition adds 32 MB of int64 indices).
CHUNK_ELEMENTS = 4 * 2**20
# Query rows per exact float64 refinement: (512, k, d) differences, 22 MB at k = 21, d = 256.
REFINE_ROWS = 512
# Rows of a memory-mapped array read at a time: by scan_nearest (a 1 MB distance row) and for the norms.
SCAN_ROWS = 262_144
NORM_ROWS = 65_536


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(backend: str) -> str:
    """The backend that will run: ``"auto"`` is faiss when it is installed, else numpy."""
    if backend not in BACKENDS:
        raise ZspaceError(f"neighbour backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "faiss" if faiss_available() else "numpy"
    if backend == "faiss" and not faiss_available():
        raise ZspaceError("neighbour backend 'faiss' needs the faiss-cpu package: pip install faiss-cpu")
    return backend


def squared_norms(points: np.ndarray) -> np.ndarray:
    """|x|^2 of each row (n,), in the rows' own precision."""
    return np.einsum("ij,ij->i", points, points)


def squared_norms_in_chunks(points: np.ndarray, rows: int = NORM_ROWS) -> np.ndarray:
    """float32 |x|^2 of each row of a (memory-mapped) array (N,), read ``rows`` at a time."""
    norms = np.empty(len(points), dtype=np.float32)
    for start in range(0, len(points), rows):
        chunk = np.asarray(points[start:start + rows], dtype=np.float32)
        norms[start:start + len(chunk)] = squared_norms(chunk)
    return norms


def expanded_squared_distances(queries: np.ndarray, references: np.ndarray, reference_norms: np.ndarray,
                               query_norms: np.ndarray | None = None) -> np.ndarray:
    """|q - x|^2 = |q|^2 - 2 q.x + |x|^2 for every pair (c, n), by one matrix product, in the inputs' precision.

    Without ``query_norms`` the |q|^2 term is left out: it does not change the order within a row.
    """
    block = queries @ references.T  # (c, n)
    block *= -2.0
    if query_norms is not None:
        block += query_norms[:, None]
    block += reference_norms[None, :]
    return block


def smallest(values: np.ndarray, k: int) -> np.ndarray:
    """Column indices (c, k) of the k smallest values of each row of ``values`` (c, n), smallest first."""
    if k < values.shape[1]:
        nearest = np.argpartition(values, k - 1, axis=1)[:, :k]  # (c, k) unordered
    else:
        nearest = np.broadcast_to(np.arange(values.shape[1]), values.shape)
    order = np.argsort(np.take_along_axis(values, nearest, axis=1), axis=1, kind="stable")
    return np.take_along_axis(nearest, order, axis=1)


def _numpy_search(queries: np.ndarray, references: np.ndarray, k: int) -> np.ndarray:
    """Indices (m, k) of the k nearest references of each query, nearest first (float32 BLAS chunks)."""
    reference_norms = squared_norms(references)  # (n,)
    rows = max(1, CHUNK_ELEMENTS // max(len(references), 1))
    indices = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), rows):
        chunk = queries[start:start + rows]  # (c, d)
        indices[start:start + len(chunk)] = smallest(expanded_squared_distances(chunk, references, reference_norms),
                                                     k)
    return indices


def _faiss_index(references: np.ndarray):
    # faiss is optional: the numpy backend needs nothing
    import faiss

    index = faiss.IndexFlatL2(references.shape[1])
    index.add(np.ascontiguousarray(references))
    return index


def _faiss_search(queries: np.ndarray, references: np.ndarray, k: int, index=None) -> np.ndarray:
    """faiss's exact search; ``index``: the references already added to a ``faiss.IndexFlatL2``."""
    index = _faiss_index(references) if index is None else index
    _, indices = index.search(np.ascontiguousarray(queries), k)
    return indices.astype(np.int64, copy=False)


class NeighbourIndex:
    """The reference points of one cloud: as given in float64 (exact distances) and centred in float32 (search).

    ``centre`` defaults to the references' mean; queries are shifted by the same vector for the search.
    A float64 array is kept without a copy: do not change it while the index is in use.
    """

    def __init__(self, references: np.ndarray, backend: str = "auto", centre: np.ndarray | None = None) -> None:
        references = np.asarray(references)
        check_matrix(references, "the reference points of a neighbour search", "points")
        references = references.astype(np.float64, copy=False)
        self.backend = resolve_backend(backend)
        self.centre = references.mean(axis=0) if centre is None else np.asarray(centre, dtype=np.float64)
        self.references = references  # (n, d) float64
        self.search_copy = np.empty(references.shape, dtype=np.float32)  # (n, d) centred
        for start in range(0, len(references), 8192):
            np.subtract(references[start:start + 8192], self.centre, out=self.search_copy[start:start + 8192],
                        casting="same_kind")
        self._faiss = None  # built on the first faiss query and kept: adding the references costs a search's time

    def _search(self, queries: np.ndarray, k: int) -> np.ndarray:
        if self.backend != "faiss":
            return _numpy_search(queries, self.search_copy, k)
        if self._faiss is None:
            self._faiss = _faiss_index(self.search_copy)
        return _faiss_search(queries, self.search_copy, k, self._faiss)

    def __len__(self) -> int:
        return len(self.references)

    def query(self, points: np.ndarray, k: int, self_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Distances (m, k) float64 and indices (m, k) of the k nearest references of each point, nearest first.

        ``self_rows`` (m,): the reference row that each point is (a query taken from the references),
        left out of its own neighbours. Duplicates of a point are kept (at distance 0).
        """
        available = len(self) - (1 if self_rows is not None else 0)
        if not 1 <= k <= available:
            raise ZspaceError(f"k = {k} neighbours asked of {available} reference points; use 1 <= k <= {available}")
        points = np.asarray(points, dtype=np.float64)  # (m, d)
        shifted = points - self.centre
        extra = 1 if self_rows is not None else 0
        found = self._search(shifted.astype(np.float32), k + extra)  # (m, k + extra)
        if self_rows is not None:
            found = _drop_self(found, np.asarray(self_rows), k)
        # exact float64 distances of the neighbours found, then reorder (float32 may swap near ties)
        distances = np.empty(found.shape)
        for start in range(0, len(found), REFINE_ROWS):  # bounds the (c, k, d) float64 differences
            block = slice(start, start + REFINE_ROWS)
            differences = self.references[found[block]] - points[block, None, :]  # (c, k, d)
            distances[block] = np.sqrt(np.einsum("mkd,mkd->mk", differences, differences))
        order = np.argsort(distances, axis=1, kind="stable")
        return np.take_along_axis(distances, order, axis=1), np.take_along_axis(found, order, axis=1)

    def query_in_chunks(self, points: np.ndarray, k: int, self_rows: np.ndarray | None = None,
                        advance: Callable[[int], None] | None = None,
                        chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`query` chunk by chunk, reporting the rows done to ``advance``."""
        distances, indices = [], []
        for start in range(0, len(points), chunk):
            rows = None if self_rows is None else self_rows[start:start + chunk]
            found = self.query(points[start:start + chunk], k, rows)
            distances.append(found[0])
            indices.append(found[1])
            if advance is not None:
                advance(len(found[0]))
        if not distances:
            return np.zeros((0, k)), np.zeros((0, k), dtype=np.int64)
        return np.concatenate(distances), np.concatenate(indices)


def _not_self(found: np.ndarray, self_rows: np.ndarray) -> np.ndarray:
    """(m, k + 1) mask of the first k entries of each row of ``found`` that are not the query's own row (when the
    row is not among them, a duplicate came first: the farthest entry is left out instead)."""
    is_self = found == self_rows[:, None]  # (m, k + 1)
    missing = ~is_self.any(axis=1)
    is_self[missing, -1] = True
    return ~is_self


def _drop_self(found: np.ndarray, self_rows: np.ndarray, k: int) -> np.ndarray:
    """Remove each query's own row from its k + 1 neighbours (else the farthest: a duplicate came first)."""
    return found[_not_self(found, self_rows)].reshape(len(found), k)


def knn(queries: np.ndarray, references: np.ndarray, k: int, self_rows: np.ndarray | None = None,
        backend: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours: distances (m, k) float64 and indices (m, k), nearest first.

    ``self_rows``: when the queries are references themselves, their rows, so that a point is not its own
    neighbour.
    """
    return NeighbourIndex(references, backend).query_in_chunks(queries, k, self_rows)


def scan_nearest(vectors: np.ndarray, query: np.ndarray, count: int, exclude: int | None = None,
                 norms: np.ndarray | None = None, rows: int = SCAN_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` rows of ``vectors`` (N, d) nearest to ``query`` (d,), nearest first, and their distances.

    ``vectors`` is read ``rows`` at a time (a memmap stays on disk), in float32: |x|^2 - 2 x.q per chunk with
    ``norms`` = :func:`squared_norms_in_chunks` (pass them when kept), the best of each chunk merged, |q|^2
    added last. ``exclude``: a row left out (the query's own). Returns rows (count,) int64 and distances
    (count,) float32; the squares carry float32 rounding of |x|^2 (a duplicate's 0 may read 1e-3), where
    :class:`NeighbourIndex` recomputes its distances exactly.
    """
    norms = squared_norms_in_chunks(vectors) if norms is None else norms
    query = np.asarray(query, dtype=np.float32)
    want = count + (1 if exclude is not None else 0)
    best_rows, best_d2 = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    for start in range(0, len(vectors), rows):
        chunk = np.asarray(vectors[start:start + rows], dtype=np.float32)
        d2 = expanded_squared_distances(query[None], chunk, norms[start:start + len(chunk)])[0]  # (c,)
        take = min(want, len(d2))
        part = np.argpartition(d2, take - 1)[:take]
        best_rows = np.concatenate([best_rows, part + start])
        best_d2 = np.concatenate([best_d2, d2[part]])
    d2 = best_d2 + float(query @ query)
    order = np.argsort(d2, kind="stable")
    found, d2 = best_rows[order], d2[order]
    if exclude is not None:
        keep = _not_self(found[None], np.array([exclude]))[0]
        found, d2 = found[keep], d2[keep]
    return found[:count], np.sqrt(np.clip(d2[:count], 0.0, None))
