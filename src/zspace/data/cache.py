"""The image cache: a source prepared once into ``images.npy`` (uint8 N,H,W,C).

Layout of a cache folder::

    images.npy     uint8 (N, H, W, C), read as a memmap
    index.csv      row, source_id, split, then labels/attributes/factors
    dataset.json   source, size, count, channels, checksum, split sizes, details

The split column is "train" or "val" (or "test" where the source defines one).
When the source has no split, a deterministic one is made from a hash of each
image's source_id, so it does not depend on the order or number of images.
The whole folder is written beside the target (``.NAME.partial``) and renamed
into place at the end: an interrupted prepare never leaves a half cache under
the target name, and running it again continues where it stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zspace.data.cache_writer import PROGRESS_FILE, write_images
from zspace.data.index_table import LazyIndex, count_rows, write_index
from zspace.data.source import ImageSource
from zspace.errors import Interrupted, ZspaceError
from zspace.io import atomic_path, check_output, create_npy, load_json, load_npy, save_json, signals_held

IMAGES_FILE = "images.npy"
INDEX_FILE = "index.csv"
DATASET_FILE = "dataset.json"
SPLITS = ("train", "val", "test")


@dataclass
class ImageCache:
    """An opened cache: memmapped images, the index columns, and dataset.json."""

    path: Path
    images: np.ndarray  # uint8 (N, H, W, C) memmap
    index: Mapping[str, np.ndarray]  # read on first use
    meta: dict[str, Any]

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_size(self) -> int:
        return int(self.images.shape[1])

    @property
    def channels(self) -> int:
        return int(self.images.shape[3])

    @property
    def index_file(self) -> Path:
        return self.path / INDEX_FILE

    def rows(self, split: str) -> np.ndarray:
        """Row numbers of one split ("train", "val", "test")."""
        return np.flatnonzero(self.index["split"] == split)


def hashed_split(source_ids: np.ndarray, val_fraction: float) -> np.ndarray:
    """"val" for a stable share of ids (crc32 of the id), "train" for the rest."""
    threshold = int(round(val_fraction * 10_000))
    buckets = np.fromiter((zlib.crc32(str(s).encode()) % 10_000 for s in source_ids), np.int64, len(source_ids))
    return np.where(buckets < threshold, "val", "train")


def prepare_cache(
    source: ImageSource,
    out: str | os.PathLike,
    val_fraction: float = 0.1,
    force: bool = False,
    chunk_size: int = 256,
    workers: int | None = None,
    on_corrupt: str = "error",
    max_corrupt: float = 0.01,
    progress: Callable[[int], None] | None = None,
) -> ImageCache:
    """Write ``source`` into a cache folder ``out``; ``progress(n)`` is told of each chunk done.

    The work happens in a hidden folder beside ``out`` that is renamed into place at the
    end. If the prepare is interrupted or stopped by a damaged image, that folder stays,
    and running the same prepare again continues from the chunks already written.
    """
    out = Path(out)
    if not 0.0 <= val_fraction < 1.0:
        raise ZspaceError(f"val_fraction {val_fraction}: must be in [0, 1)")
    if on_corrupt not in ("error", "skip"):
        raise ZspaceError(f"on_corrupt {on_corrupt!r}: choose 'error' or 'skip'")
    if not 0.0 <= max_corrupt <= 1.0:
        raise ZspaceError(f"max_corrupt {max_corrupt}: must be a share between 0 and 1")
    check_cache_output(out, force)
    if source.count < 1:
        raise ZspaceError(f"{source.name}: the source holds no images")
    started = time.monotonic()
    partial = out.parent / f".{out.name}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    with _kept_on_interrupt(partial):
        damaged = write_images(source, partial / IMAGES_FILE, chunk_size, workers, on_corrupt == "skip", progress)
        index = _with_split(source, val_fraction)
        skipped = []
        if damaged:
            share = len(damaged) / source.count
            if share > max_corrupt:
                raise ZspaceError(
                    f"{len(damaged)} of {source.count} images are damaged ({share:.2%}), more than "
                    f"max_corrupt {max_corrupt}; first: {damaged[0][1]}"
                )
            keep = np.ones(source.count, dtype=bool)
            keep[[row for row, _ in damaged]] = False
            _drop_rows(partial / IMAGES_FILE, keep)
            skipped = [{"source_id": str(index["source_id"][row]), "error": message} for row, message in damaged]
            index = {k: v[keep] for k, v in index.items()}
        count = len(index["source_id"])
        write_index(partial / INDEX_FILE, index)
        counts = {s: int(np.sum(index["split"] == s)) for s in SPLITS}
        meta = {
            "source": source.name,
            "count": count,
            "height": source.height,
            "width": source.width,
            "size": source.height,
            "channels": source.channels,
            "dtype": "uint8",
            "checksum": image_checksum(partial / IMAGES_FILE),
            "splits": {k: v for k, v in counts.items() if v},
            "val_fraction": val_fraction,
            "skipped": skipped,
            "prepare_seconds": round(time.monotonic() - started, 2),
            "details": source.details,
        }
        save_json(partial / DATASET_FILE, meta)
        (partial / PROGRESS_FILE).unlink(missing_ok=True)
        _swap_into_place(partial, out)
        return open_cache(out)


def check_cache_output(out: str | os.PathLike, force: bool = False) -> None:
    """Refuse ``out`` if it exists, unless ``force`` and it is a cache (a user's folder is never replaced)."""
    out = Path(out)
    if force and out.exists() and not out.is_dir():
        raise ZspaceError(f"{out}: a file, not an image cache folder; refusing to replace it even with force, "
                          "choose another output path")
    check_output(out, force, marker=DATASET_FILE)


@contextlib.contextmanager
def _kept_on_interrupt(partial: Path) -> Iterator[None]:
    """On Ctrl-C or SIGTERM, tell the user that ``partial`` survives and resumes."""
    try:
        yield
    except Interrupted as stop:
        if partial.is_dir():
            stop.kept.append(f"partial cache in {partial}; run the same command again to resume")
        raise


def image_checksum(path: Path, rows_per_read: int = 2048) -> str:
    """sha256 of the image bytes in row order (the .npy header excluded)."""
    images = load_npy(path, mmap=True)
    digest = hashlib.sha256()
    for start in range(0, len(images), rows_per_read):
        digest.update(np.ascontiguousarray(images[start : start + rows_per_read]).tobytes())
    return f"sha256:{digest.hexdigest()}"


def _drop_rows(path: Path, keep: np.ndarray, rows_per_copy: int = 2048) -> None:
    """Rewrite images.npy with the rows where ``keep`` is True (damaged images dropped)."""
    images = load_npy(path, mmap=True)
    with atomic_path(path) as tmp:
        kept = create_npy(tmp, (int(keep.sum()), *images.shape[1:]), np.uint8)
        at = 0
        for start in range(0, len(images), rows_per_copy):
            block = images[start : start + rows_per_copy][keep[start : start + rows_per_copy]]
            kept[at : at + len(block)] = block
            at += len(block)
        kept.flush()
        del kept
    del images


def _with_split(source: ImageSource, val_fraction: float) -> dict[str, np.ndarray]:
    index = {"source_id": np.asarray(source.index["source_id"]).astype(str)}
    given = source.index.get("split")
    if given is None:
        index["split"] = hashed_split(index["source_id"], val_fraction)
    else:
        index["split"] = np.asarray(given).astype(str)
        bad = sorted(set(index["split"]) - set(SPLITS))
        if bad:
            raise ZspaceError(f"{source.name}: unknown split name(s) {bad}; use {SPLITS}")
        if not np.any(index["split"] == "val"):
            # Official train/test splits: keep "test" apart, carve "val" out of "train".
            is_train = index["split"] == "train"
            carved = hashed_split(index["source_id"], val_fraction)
            index["split"] = np.where(is_train, carved, index["split"])
    index.update({k: np.asarray(v) for k, v in source.index.items() if k not in ("source_id", "split")})
    return index


def _swap_into_place(partial: Path, out: Path) -> None:
    with signals_held():  # a Ctrl-C between the renames would leave neither cache under ``out``
        _swap(partial, out)


def _swap(partial: Path, out: Path) -> None:
    if out.exists():
        trash = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, trash)
        os.replace(partial, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(partial, out)


def open_cache(path: str | os.PathLike) -> ImageCache:
    """Open a prepared cache folder, checking that its three files agree."""
    path = Path(path)
    if not path.is_dir():
        raise ZspaceError(f"{path}: image cache not found; prepare a data source into this folder first")
    meta_path = path / DATASET_FILE
    if not meta_path.is_file():
        raise ZspaceError(f"{path}: not an image cache (no {DATASET_FILE}); make one with 'zspace prepare'")
    meta = load_json(meta_path)
    images = load_npy(path / IMAGES_FILE, mmap=True)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ZspaceError(f"{path / IMAGES_FILE}: expected uint8 (N, H, W, C), found {images.dtype} {images.shape}")
    if images.shape[0] != meta.get("count"):
        raise ZspaceError(f"{path}: images.npy has {images.shape[0]} images but dataset.json says "
                          f"{meta.get('count')}; re-run 'zspace prepare'")
    if not (path / INDEX_FILE).is_file():
        raise ZspaceError(f"{path / INDEX_FILE}: index table not found; re-run 'zspace prepare'")
    if count_rows(path / INDEX_FILE) != images.shape[0]:
        raise ZspaceError(f"{path / INDEX_FILE}: row count does not match images.npy; re-run 'zspace prepare'")
    index = LazyIndex(path / INDEX_FILE)
    return ImageCache(path, images, index, meta)
