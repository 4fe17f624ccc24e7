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


def test_failed_prepare_leaves_no_cache_and_resumes(tmp_path: Path) -> None:
    source = synthetic_faces_source(count=40, size=16)
    good_read = source.read
    calls: list[int] = []

    def broken(start: int, stop: int) -> np.ndarray:
        calls.append(start)
        if start >= 24:
            raise ZspaceError("face-000024: broken image")
        return good_read(start, stop)

    source.read = broken
    with pytest.raises(ZspaceError, match="broken image.*prepare again to continue"):
        prepare_cache(source, tmp_path / "c", chunk_size=8, workers=1)
    assert not (tmp_path / "c").exists()  # no half cache under the target name
    source.read = lambda start, stop: (calls.append(start), good_read(start, stop))[1]
    calls.clear()
    cache = prepare_cache(source, tmp_path / "c", chunk_size=8, workers=1)
    assert sorted(calls) == [24, 32]  # only the chunks not written before
    assert np.array_equal(cache.images, good_read(0, 40))
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_parallel_prepare_equals_serial(tmp_path: Path) -> None:
    source = synthetic_faces_source(count=300, size=16, seed=4)
    serial = prepare_cache(source, tmp_path / "serial", chunk_size=32, workers=1)
    parallel = prepare_cache(source, tmp_path / "parallel", chunk_size=32, workers=2)
    assert np.array_equal(serial.images, parallel.images)
    assert serial.meta["checksum"] == parallel.meta["checksum"]


def test_damaged_images_skipped_within_the_limit(tmp_path: Path) -> None:
    source = synthetic_faces_source(count=50, size=16)
    good_read = source.read

    def read(start: int, stop: int) -> np.ndarray:
        if start <= 7 < stop:
            raise ZspaceError("face-000007: truncated")
        return good_read(start, stop)

    source.read = read
    with pytest.raises(ZspaceError, match="1 of 50 images are damaged"):
        prepare_cache(source, tmp_path / "c", chunk_size=16, workers=1, on_corrupt="skip", max_corrupt=0.01)
    cache = prepare_cache(source, tmp_path / "c", chunk_size=16, workers=1, on_corrupt="skip", max_corrupt=0.05)
    assert len(cache) == 49 and "face-000007" not in set(cache.index["source_id"])
    assert cache.meta["skipped"] == [{"source_id": "face-000007", "error": "face-000007: truncated"}]
    assert np.array_equal(cache.images[7], good_read(8, 9)[0])  # the rows after it moved up


def test_open_cache_errors(tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match="image cache not found"):
        open_cache(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ZspaceError, match="not an image cache"):
        open_cache(tmp_path / "empty")


def test_verify_finds_damage(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from zspace.cli.main import main
    from zspace.data.verify import verify_cache

    cache = prepare_cache(synthetic_faces_source(count=30, size=16), tmp_path / "c")
    assert verify_cache(cache.path).ok
    assert main(["verify", str(cache.path)]) == 0
    images = np.load(cache.path / "images.npy", mmap_mode="r+", allow_pickle=False)
    images[3, 2, 2, 1] ^= 0xFF  # one flipped pixel
    images.flush()
    del images
    report = verify_cache(cache.path)
    assert not report.ok and "checksum" in report.problems[0]
    assert main(["verify", str(cache.path)]) == 2
    assert "checksum" in capsys.readouterr().err
    (cache.path / "index.csv").write_text("row,source_id,split\n0,a,train\n")
    assert "index.csv has 1 rows for 30 images" in verify_cache(cache.path).problems[0]
