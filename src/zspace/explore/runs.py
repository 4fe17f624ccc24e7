"""The runs one explorer serves together, and whether they are *linked*: row r is the same image in every run.

``zspace explore RUN_A RUN_B`` shows each run's map side by side. Hover, click and lasso in one
map can only highlight "the same images" in another when both runs encoded the same image cache,
row for row. Two runs are linked when their caches are

- the same folder (paths resolved, so a symlink or a relative path still matches), or
- two folders with the same row count and the same fingerprint: a hash of the index table's bytes
  and of a fixed, evenly spread sample of :data:`FINGERPRINT_ROWS` image rows (a copy of a cache
  matches; a cache prepared from another source, shuffled or cut does not).

Otherwise the runs are shown side by side unlinked and :class:`Link` says why, in one sentence
naming the caches and their row counts.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zspace.explore.agreement import neighbourhood_agreement
from zspace.explore.data import ExplorerData

FINGERPRINT_ROWS = 64  # image rows hashed, evenly spread over the cache
READ_BYTES = 1 << 20
MAX_RUNS = 4


@dataclass(frozen=True)
class Link:
    linked: bool
    note: str  # one sentence: why linked, or why not


def cache_fingerprint(images: np.ndarray, index_file: Path | None) -> str:
    """SHA-256 of the index table's bytes and of :data:`FINGERPRINT_ROWS` evenly spread image rows."""
    digest = hashlib.sha256()
    digest.update(repr((images.shape, str(images.dtype))).encode())
    if index_file is not None:
        with open(index_file, "rb") as handle:
            while block := handle.read(READ_BYTES):
                digest.update(block)
    for row in np.unique(np.linspace(0, len(images) - 1, FINGERPRINT_ROWS).round().astype(np.int64)):
        digest.update(np.ascontiguousarray(images[row]).tobytes())
    return digest.hexdigest()


def _same_images(a: ExplorerData, b: ExplorerData) -> str | None:
    """None when ``a`` and ``b`` encoded the same images, else why not (one clause)."""
    for data in (a, b):
        if data.images is None or data.cache_dir is None:
            return f"{data.run.name}'s image cache is not available, so its rows cannot be matched to the other run's"
    where = (f"{a.run.name} encoded {a.cache_dir} ({a.count:,} rows), "
             f"{b.run.name} encoded {b.cache_dir} ({b.count:,} rows)")
    if a.cache_dir.resolve() == b.cache_dir.resolve():
        return None
    if a.count != b.count:
        return f"{where}: not the same images"
    if cache_fingerprint(a.images, a.index_file) != cache_fingerprint(b.images, b.index_file):
        return f"{where}: the same row count but other images or another index"
    return None


def link_runs(runs: list[ExplorerData]) -> Link:
    """Whether every run encoded the first run's cache (see the module docstring)."""
    if len(runs) < 2:
        return Link(False, "one run: nothing to link")
    first = runs[0]
    for other in runs[1:]:
        why = _same_images(first, other)
        if why is not None:
            return Link(False, f"{why}, so the maps are shown side by side without linking")
    names = " and ".join(data.run.name for data in runs)
    return Link(True, f"{names} encoded the same {first.count:,} images ({first.cache_dir}): row r is the same "
                      "image in every map")


@dataclass
class RunSet:
    """The runs served (1 to :data:`MAX_RUNS`), their link, and the neighbourhood agreement of linked pairs."""

    runs: list[ExplorerData]
    _link: Link | None = field(default=None, repr=False)
    _pairs: dict = field(default_factory=dict, repr=False)  # (i, j) i < j -> float32 (N,) agreement
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # the link
    _pair_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # held while a pair is measured

    def __len__(self) -> int:
        return len(self.runs)

    @property
    def link(self) -> Link:
        with self._lock:
            if self._link is None:
                self._link = link_runs(self.runs)
            return self._link

    def names(self) -> list[str]:
        """Each run's folder name, or parent/name where two runs share a folder name (runs/a/vae, runs/b/vae)."""
        plain = [data.run.name for data in self.runs]
        return [name if plain.count(name) == 1 else f"{data.run.path.parent.name}/{name}"
                for name, data in zip(plain, self.runs, strict=True)]

    def agreement(self, index: int) -> np.ndarray:
        """float32 (N,) per row of run ``index``: the share of its 10 nearest latent neighbours that are also its
        neighbours in the other run (the mean over the others when there are several); NaN outside the sample."""
        if not self.link.linked:
            raise ValueError("agreement needs linked runs")
        values = [self._pair(min(index, other), max(index, other)) for other in range(len(self)) if other != index]
        return values[0] if len(values) == 1 else np.mean(values, axis=0).astype(np.float32)

    def _pair(self, i: int, j: int) -> np.ndarray:
        with self._pair_lock:  # computed once per pair; a second request waits for the first, the others do not
            if (i, j) not in self._pairs:
                self._pairs[(i, j)] = neighbourhood_agreement(self.runs[i].vectors, self.runs[j].vectors)
            return self._pairs[(i, j)]
