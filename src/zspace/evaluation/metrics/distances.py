"""Euclidean distances between feature sets, a block of rows at a time.

A 10,000 x 10,000 float64 distance matrix is 800 MB, and the ``prdc`` package
holds three such matrices at once. Here only one block of ``rows x M`` distances
exists at a time (``BLOCK_BYTES``, 64 MB), so memory grows with N + M, not N·M.

Distances follow scikit-learn's ``euclidean_distances`` (which ``prdc`` calls):
‖x − y‖² = ‖x‖² − 2 x·y + ‖y‖², clipped at 0, in float64, so the strict ``<``
comparisons of precision/recall/density/coverage come out as in ``prdc``. The
distance kernel and the k-smallest selection are those of :mod:`zspace.neighbours`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from zspace.neighbours import expanded_squared_distances, smallest, squared_norms

BLOCK_BYTES = 64 * 2**20


def block_rows(columns: int, block_bytes: int = BLOCK_BYTES) -> int:
    """Rows per block so that one float64 block of ``rows x columns`` is about ``block_bytes``."""
    return max(1, block_bytes // (8 * max(columns, 1)))


def distance_blocks(
    x: np.ndarray, y: np.ndarray, block_bytes: int = BLOCK_BYTES, same: bool = False,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, D)`` with D[i, j] = ‖x[start + i] − y[j]‖, a (rows, len(y)) float64 block.

    ``same=True`` says x is y: the self-distances D[i, start + i] are set to exactly 0.
    """
    y = np.asarray(y, dtype=np.float64)
    y_norms = squared_norms(y)  # (M,)
    step = block_rows(len(y), block_bytes)
    for start in range(0, len(x), step):
        chunk = np.asarray(x[start:start + step], dtype=np.float64)  # (c, d)
        block = expanded_squared_distances(chunk, y, y_norms, squared_norms(chunk))  # (c, M)
        np.maximum(block, 0.0, out=block)
        np.sqrt(block, out=block)
        if same:
            rows = np.arange(len(chunk))
            block[rows, start + rows] = 0.0
        yield start, block


def kth_neighbour_radii(x: np.ndarray, k: int, block_bytes: int = BLOCK_BYTES) -> np.ndarray:
    """Distance from each row of x to its k-th nearest other row (N,): the k-NN ball radius.

    The row itself is at distance 0, so this is the (k + 1)-th smallest distance, as in
    ``prdc.compute_nearest_neighbour_distances``.
    """
    return neighbour_radii(x, (k,), block_bytes)[k]


def neighbour_radii(x: np.ndarray, ks: tuple[int, ...], block_bytes: int = BLOCK_BYTES) -> dict[int, np.ndarray]:
    """:func:`kth_neighbour_radii` for several k from one pass over the distances: {k: (N,) radii}."""
    ks = tuple(sorted(set(ks)))
    radii = {k: np.empty(len(x)) for k in ks}
    for start, block in distance_blocks(x, x, block_bytes, same=True):
        nearest = np.take_along_axis(block, smallest(block, ks[-1] + 1), axis=1)  # (c, max k + 1), nearest first
        for k in ks:
            radii[k][start:start + len(block)] = nearest[:, k]
    return radii
