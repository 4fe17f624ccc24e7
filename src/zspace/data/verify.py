"""verify_cache(): check a cache folder end to end and say what is wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zspace.data.cache import DATASET_FILE, IMAGES_FILE, INDEX_FILE, SPLITS, image_checksum
from zspace.data.index_table import read_index
from zspace.errors import ZspaceError
from zspace.io import load_json, load_npy


@dataclass
class CacheReport:
    path: Path
    count: int = 0
    shape: tuple[int, ...] = ()
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_cache(path: str | os.PathLike) -> CacheReport:
    """Count, shape, dtype, index rows, split sizes and checksum against dataset.json."""
    report = CacheReport(Path(path))
    if report.path.exists() and not report.path.is_dir():
        raise ZspaceError(f"{report.path}: a file, not a cache folder; pass the folder made by prepare")
    if not report.path.is_dir():
        raise ZspaceError(f"{report.path}: cache folder not found; check the path")
    try:
        meta = load_json(report.path / DATASET_FILE)
        images = load_npy(report.path / IMAGES_FILE, mmap=True)
        index = read_index(report.path / INDEX_FILE)
    except ZspaceError as err:
        report.problems.append(str(err))
        return report
    report.count, report.shape = int(images.shape[0]), tuple(images.shape)
    expected = (meta.get("count"), meta.get("height"), meta.get("width"), meta.get("channels"))
    if images.dtype != np.uint8 or images.ndim != 4 or tuple(images.shape) != expected:
        report.problems.append(f"images.npy is {images.dtype} {tuple(images.shape)}, dataset.json says uint8 "
                               f"{expected}")
    rows = len(index.get("split", []))
    if rows != images.shape[0]:
        report.problems.append(f"index.csv has {rows} rows for {images.shape[0]} images")
    else:
        counts = {s: int(np.sum(index["split"] == s)) for s in SPLITS}
        if {k: v for k, v in counts.items() if v} != meta.get("splits"):
            report.problems.append(f"split sizes {counts} differ from dataset.json's {meta.get('splits')}")
    if not report.problems and image_checksum(report.path / IMAGES_FILE) != meta.get("checksum"):
        report.problems.append("the image bytes do not match dataset.json's checksum (the cache was changed "
                               "or damaged); prepare it again")
    return report
