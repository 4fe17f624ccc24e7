"""The one check of an N x d array of vectors that a user hands to zspace (latents, features, embeddings)."""

from __future__ import annotations

import numpy as np

from zspace.errors import ZspaceError


def check_matrix(array: np.ndarray, name: str, noun: str = "vectors") -> None:
    """A real-valued N x d array with N >= 2 and d >= 1, or one line naming ``name`` and what to do.

    ``noun`` says what a row is in the message (vectors, features). Finiteness is checked by the
    callers, which differ in what they do with NaN rows (leave them out, or refuse).
    """
    if array.dtype.hasobject or not (np.issubdtype(array.dtype, np.floating)
                                     or np.issubdtype(array.dtype, np.integer)):
        raise ZspaceError(f"{name}: dtype {array.dtype} is not a real number type; "
                          f"save the {noun} as a float32 or float64 array")
    if array.ndim != 2:
        raise ZspaceError(f"{name}: array of shape {array.shape} has rank {array.ndim}; "
                          f"{noun} must be N x d (one row each), reshape them first")
    if array.shape[0] < 2 or array.shape[1] < 1:
        raise ZspaceError(f"{name}: shape {array.shape} is too small; at least 2 rows of 1 column are needed")


def nonfinite_rows(array: np.ndarray, chunk_rows: int = 65_536) -> np.ndarray:
    """Row numbers (int64, ascending) of the rows of an N x d array that hold NaN or inf, read in chunks
    (a memmap of any size costs one pass and ``chunk_rows`` rows of memory)."""
    if not np.issubdtype(array.dtype, np.floating):
        return np.empty(0, dtype=np.int64)
    found = [start + np.flatnonzero(~np.isfinite(array[start:start + chunk_rows]).all(axis=1))
             for start in range(0, len(array), chunk_rows)]
    return np.concatenate(found).astype(np.int64) if found else np.empty(0, dtype=np.int64)


def read_rows(array: np.ndarray, rows: np.ndarray, chunk_rows: int = 65_536) -> np.ndarray:
    """``array[rows]`` for ``rows`` of any shape (repeats allowed), in the array's dtype, each distinct row read
    once and in ascending order (a memmap reads its pages forwards), ``chunk_rows`` at a time.
    Shape: ``rows.shape + array.shape[1:]``."""
    flat = np.asarray(rows, dtype=np.int64).ravel()
    unique, inverse = np.unique(flat, return_inverse=True)
    if len(unique) <= chunk_rows:
        block = np.asarray(array[unique])
    else:
        block = np.concatenate([np.asarray(array[unique[s:s + chunk_rows]]) for s in range(0, len(unique), chunk_rows)])
    return block[inverse].reshape(*np.shape(rows), *array.shape[1:])
