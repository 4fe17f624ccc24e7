"""The image cache: layout, split, checksum, refusal to overwrite."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from zspace.data.cache import hashed_split, open_cache, prepare_cache
from zspace.data.idx_source import array_source
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.errors import ZspaceError


def test_layout_and_checksum(faces_cache: Path) -> None:
    cache = open_cache(faces_cache)
    assert cache.images.shape == (192, 32, 32, 3) and cache.images.dtype == np.uint8
    assert isinstance(cache.images, np.memmap)
    assert cache.meta["source"] == "synthetic-faces" and cache.meta["count"] == 192
    digest = hashlib.sha256(np.ascontiguousarray(cache.images).tobytes()).hexdigest()
    assert cache.meta["checksum"] == f"sha256:{digest}"
    assert set(cache.index["split"]) == {"train", "val"}
    assert cache.meta["splits"]["train"] + cache.meta["splits"]["val"] == 192
    assert "smile" in cache.index and "glasses" in cache.index  # the factors travel into the index
    assert np.array_equal(cache.images[:5], synthetic_faces_source(count=192, size=32, seed=3).read(0, 5))


def test_split_is_deterministic_and_stable_under_reordering() -> None:
    ids = np.array([f"img-{i}" for i in range(5000)])
    split = hashed_split(ids, 0.1)
    assert abs(np.mean(split == "val") - 0.1) < 0.02
    shuffled = np.random.default_rng(0).permutation(len(ids))
    assert np.array_equal(hashed_split(ids[shuffled], 0.1), split[shuffled])


def test_official_test_split_is_kept(tmp_path: Path) -> None:
    images = np.zeros((40, 8, 8, 1), np.uint8)
    index = {"source_id": np.array([f"s{i}" for i in range(40)]),
             "split": np.array(["train"] * 30 + ["test"] * 10)}
    cache = prepare_cache(array_source("idx", images, index), tmp_path / "c", val_fraction=0.2)
    assert np.all(cache.index["split"][30:] == "test")
    assert set(cache.index["split"][:30]) <= {"train", "val"}


def test_refuses_to_overwrite_and_keeps_old_cache(faces_cache: Path, tmp_path: Path) -> None:
    source = synthetic_faces_source(count=10, size=16, seed=1)
    out = tmp_path / "c"
    prepare_cache(source, out)
    before = (out / "images.npy").read_bytes()
    with pytest.raises(ZspaceError, match="already exists"):
        prepare_cache(synthetic_faces_source(count=12, size=16, seed=2), out)
    assert (out / "images.npy").read_bytes() == before
    prepare_cache(synthetic_faces_source(count=12, size=16, seed=2), out, force=True)
    assert open_cache(out).images.shape[0] == 12
    assert not list(tmp_path.glob(".c.*"))  # no partial or old folders left behind


def test_failed_prepare_leaves_nothing(tmp_path: Path) -> None:
    source = synthetic_faces_source(count=20, size=16)

    def broken(start: int, stop: int) -> np.ndarray:
        raise ZspaceError("broken image")

    source.read = broken
    with pytest.raises(ZspaceError, match="broken image"):
        prepare_cache(source, tmp_path / "c")
    assert not (tmp_path / "c").exists() and not list(tmp_path.iterdir())


def test_open_cache_errors(tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match="image cache not found"):
        open_cache(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ZspaceError, match="not an image cache"):
        open_cache(tmp_path / "empty")
