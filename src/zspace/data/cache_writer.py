"""Writing a source's images into the cache's memmap: in parallel, resumable, damage-aware.

Rows are cut into chunks. Worker processes (forked, so any source works,
closures included) decode their chunk and write it straight into the shared
``images.npy`` memmap; the parent only counts. After each finished chunk the
parent notes it in ``progress.json`` (atomically, at most every second), so a
prepare that is killed continues where it stopped when run again: the pages a
dead worker wrote are in the file already, and unfinished chunks are redone.

A damaged image (ZspaceError from the source) stops the prepare, naming it,
unless ``skip_corrupt``: then the chunk is re-read row by row, damaged rows are
zero-filled and reported, and the cache builder drops them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zspace.data.source import ImageSource
from zspace.errors import ZspaceError
from zspace.io import create_npy, load_json, save_json

PROGRESS_FILE = "progress.json"


@dataclass
class _Job:
    source: ImageSource
    path: Path
    chunk_size: int
    skip_corrupt: bool


_JOB: _Job | None = None  # set before forking; read by the workers
_MAPPED: tuple[int, np.ndarray] | None = None  # (pid, memmap) of this process


def _images() -> np.ndarray:
    global _MAPPED
    if _MAPPED is None or _MAPPED[0] != os.getpid():
        _MAPPED = (os.getpid(), np.load(_JOB.path, mmap_mode="r+", allow_pickle=False))
    return _MAPPED[1]


def _write_chunk(chunk: int) -> tuple[int, int, list[tuple[int, str]]]:
    """Decode one chunk into the memmap. Returns (chunk, rows, damaged rows)."""
    job = _JOB
    start = chunk * job.chunk_size
    stop = min(start + job.chunk_size, job.source.count)
    images = _images()
    try:
        images[start:stop] = _checked(job.source, start, stop)
        return chunk, stop - start, []
    except ZspaceError as err:
        if not job.skip_corrupt:
            return chunk, stop - start, [(-1, str(err))]
    damaged = []
    for row in range(start, stop):
        try:
            images[row : row + 1] = _checked(job.source, row, row + 1)
        except ZspaceError as err:
            images[row] = 0
            damaged.append((row, str(err)))
    return chunk, stop - start, damaged


def _checked(source: ImageSource, start: int, stop: int) -> np.ndarray:
    batch = np.asarray(source.read(start, stop))
    expected = (stop - start, source.height, source.width, source.channels)
    if batch.shape != expected or batch.dtype != np.uint8:
        raise ValueError(f"{source.name}: rows {start}:{stop} came back as {batch.dtype} {batch.shape}, "
                         f"expected uint8 {expected}")  # a bug in the source, not bad data
    return batch


def plan_of(source: ImageSource, chunk_size: int) -> dict:
    """What identifies a prepare, so that only the same one is resumed."""
    ids = hashlib.sha256("\n".join(map(str, source.index["source_id"])).encode()).hexdigest()
    return {"source": source.name, "shape": list(source.shape), "chunk_size": chunk_size, "ids": ids,
            "details": json.loads(json.dumps(source.details, default=str))}


def write_images(
    source: ImageSource, path: Path, chunk_size: int = 256, workers: int | None = None,
    skip_corrupt: bool = False, progress: Callable[[int], None] | None = None,
) -> list[tuple[int, str]]:
    """Fill the .npy file ``path`` (the cache's images) from ``source``; resume a matching earlier
    attempt (its progress file lies beside ``path``). Returns damaged rows."""
    global _JOB, _MAPPED
    state_path = path.parent / PROGRESS_FILE
    plan = plan_of(source, chunk_size)
    state = load_json(state_path) if state_path.is_file() and path.is_file() else None
    if state is None or state.get("plan") != plan:
        state = {"plan": plan, "done": [], "damaged": []}
        create_npy(path, source.shape, np.uint8).flush()
        save_json(state_path, state)
    done = set(state["done"])
    damaged = [tuple(d) for d in state["damaged"]]
    todo = [c for c in range(-(-source.count // chunk_size)) if c not in done]
    if progress is not None and done:
        progress(min(source.count, len(done) * chunk_size))
    _JOB = _Job(source, path, chunk_size, skip_corrupt)
    saved = time.monotonic()
    results = _run(todo, workers)
    try:
        for chunk, rows, bad in results:
            if bad and bad[0][0] == -1:
                raise ZspaceError(f"{bad[0][1]} (to skip damaged images, set on_corrupt to 'skip'; "
                                  "prepare again to continue where it stopped)")
            done.add(chunk)
            damaged += bad
            if progress is not None:
                progress(rows)
            if time.monotonic() - saved > 1.0:
                save_json(state_path, {"plan": plan, "done": sorted(done), "damaged": damaged})
                saved = time.monotonic()
    finally:
        _JOB, _MAPPED = None, None
        save_json(state_path, {"plan": plan, "done": sorted(done), "damaged": damaged})
        results.close()  # stops the workers now, not whenever the generator is collected
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    return sorted(damaged)


def _run(chunks: list[int], workers: int | None) -> Iterator[tuple[int, int, list[tuple[int, str]]]]:
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_write_chunk, chunks)
        return
    # Ctrl-C reaches the whole process group. Workers ignore SIGINT and die quietly on SIGTERM
    # (what Pool.terminate sends): the parent alone stops, saves progress.json and says so.
    # Signals stay blocked while forking, so none lands before a worker has set this up.
    stopping = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, _quiet_worker, (blocked,))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    with pool:
        yield from pool.imap_unordered(_write_chunk, chunks)


def _quiet_worker(mask: set[signal.Signals]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
