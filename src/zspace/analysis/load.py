"""Open any N x d array of vectors for analysis (SPEC X5): checks with one-line errors, memmap always.

The file is memory-mapped, never read whole, so an array larger than memory
still works; the NaN/inf scan reads it once in chunks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zspace.analysis.moments import iter_chunks
from zspace.arrays import check_matrix
from zspace.data.index_table import read_table
from zspace.errors import ZspaceError
from zspace.io import load_npy


@dataclass
class VectorSource:
    """Vectors to analyse: the (memory-mapped) array and which rows to use."""

    path: Path | None
    vectors: np.ndarray  # (N, d), any real dtype; read chunk by chunk as float64
    keep: np.ndarray | None  # (N,) bool, None = every row
    dropped: int  # rows left out for NaN/inf

    @property
    def count(self) -> int:
        return int(self.vectors.shape[0]) - self.dropped


def check_vectors(vectors: np.ndarray, name: str, drop_nonfinite: bool = False) -> VectorSource:
    """Check rank, dtype, finiteness and N > d; return the rows to use."""
    check_matrix(vectors, name, "vectors")
    total, dim = vectors.shape
    keep = None
    dropped = 0
    if np.issubdtype(vectors.dtype, np.floating):
        finite = np.ones(total, dtype=bool)
        for start, chunk in iter_chunks(vectors):
            finite[start:start + len(chunk)] = np.isfinite(chunk).all(axis=1)
        dropped = int(total - finite.sum())
        if dropped and not drop_nonfinite:
            raise ZspaceError(f"{name}: {dropped} of {total} rows hold NaN or inf; "
                              "fix them, or leave those rows out with drop_nonfinite",
                              options="drop_nonfinite")
        keep = finite if dropped else None
    used = total - dropped
    if dim >= used:
        raise ZspaceError(f"{name}: {used} usable vectors of dimension {dim}; the covariance needs more vectors "
                          "than dimensions (N > d). Is the array transposed (d x N)?")
    return VectorSource(None, vectors, keep, dropped)


def _refuse_object_header(path: Path) -> None:
    """Read only the .npy header: an object dtype means pickled Python objects, which zspace never loads."""
    try:
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            dtype = read_header(handle)[2]
    except (ValueError, OSError, EOFError):
        return  # not a valid .npy header: load_npy gives the error
    if dtype.hasobject:
        raise ZspaceError(f"{path}: holds Python objects (pickle), which zspace never loads; "
                          "save a numeric array with numpy.save")


def load_vectors(path: str | os.PathLike, drop_nonfinite: bool = False) -> VectorSource:
    """Memory-map ``path`` (.npy, no pickle) and check it with :func:`check_vectors`."""
    path = Path(path)
    if path.suffix != ".npy":
        raise ZspaceError(f"{path}: not a .npy file; save the vectors with numpy.save(path, array)")
    _refuse_object_header(path)
    vectors = load_npy(path, mmap=True)
    source = check_vectors(vectors, str(path), drop_nonfinite)
    source.path = path
    return source


def load_index_table(path: str | os.PathLike, rows: int) -> dict[str, np.ndarray]:
    """Read a CSV with a header row (any columns; a zspace index.csv works) with ``rows`` data rows.

    Columns that parse as numbers become numeric arrays; the rest stay strings. The parser is the
    cache's (:func:`zspace.data.index_table.read_table`), so both read a file the same way.
    """
    table = read_table(path)
    found = len(next(iter(table.values()))) if table else 0
    if found != rows:
        raise ZspaceError(f"{path}: {found} data rows but the vectors have {rows}; one row per vector is needed")
    return table
