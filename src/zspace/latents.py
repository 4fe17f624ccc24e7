"""Latent vectors of a cache's images, with the index rows they came from (seed S6).

``LatentSet`` is what ``zspace encode`` writes (:mod:`zspace.encoding`) and every
later stage reads: row i of the vectors is row i of the image cache's index.
The file names live in :class:`zspace.run.Run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zspace.data.cache import INDEX_FILE
from zspace.data.index_table import LazyIndex
from zspace.io import load_json, load_npy


@dataclass
class LatentSet:
    """Latent vectors with the index rows of the images they came from."""

    vectors: np.ndarray  # (N, d) float32
    logvar: np.ndarray | None  # (N, d) float32 for a VAE
    index: Mapping[str, np.ndarray]  # the cache's index columns, row-aligned with vectors

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def read_latents(vectors_path: Path, logvar_path: Path, meta_path: Path, mmap: bool = True) -> LatentSet:
    """Open the latent vectors (+ log-variances when the file exists) with the index their metadata names."""
    vectors = load_npy(vectors_path, mmap=mmap)
    logvar = load_npy(logvar_path, mmap=mmap) if logvar_path.is_file() else None
    index: Mapping[str, np.ndarray] = {}
    if meta_path.is_file():
        meta = load_json(meta_path)
        data = meta.get("data") if isinstance(meta, dict) else None
        if data and (Path(data) / INDEX_FILE).is_file():  # no "data": no index (never one in the working folder)
            index = LazyIndex(Path(data) / INDEX_FILE)  # read when first used
    return LatentSet(vectors, logvar, index)
