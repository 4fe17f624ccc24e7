"""Atomic, pickle-free writes and reads."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from zspace import io
from zspace.errors import ZspaceError
from zspace.io import atomic_path, load_npy, replace_folder, save_json, save_npy


def test_failure_mid_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    save_json(target, {"version": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text('{"version": 2, "half')
            raise RuntimeError("disk pulled out")
    assert target.read_text() == '{\n  "version": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no temp file left


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    save_npy(tmp_path / "a.npy", np.arange(3))
    mode = stat.S_IMODE(os.stat(tmp_path / "a.npy").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_replace_folder_gives_mkdir_permissions_without_touching_the_umask(tmp_path: Path, monkeypatch) -> None:
    # os.umask is process-wide: setting it, even for a moment, races every thread that creates a file.
    (tmp_path / "reference").mkdir()
    expected = stat.S_IMODE(os.stat(tmp_path / "reference").st_mode)
    assert io.UMASK == 0o777 & ~expected

    def no_umask(mask: int) -> int:
        raise AssertionError("os.umask called while writing")

    monkeypatch.setattr(os, "umask", no_umask)
    with replace_folder(tmp_path / "out") as tmp:
        assert stat.S_IMODE(os.stat(tmp).st_mode) == expected  # not mkdtemp's 0700
        save_npy(tmp / "a.npy", np.arange(3))
    assert stat.S_IMODE(os.stat(tmp_path / "out").st_mode) == expected
    assert stat.S_IMODE(os.stat(tmp_path / "out" / "a.npy").st_mode) == 0o666 & ~io.UMASK


def test_object_arrays_are_never_written_or_read(tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match="object array"):
        save_npy(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object))
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for mmap in (False, True):
        with pytest.raises(ZspaceError, match="pickle"):
            load_npy(tmp_path / "o.npy", mmap=mmap)
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    with pytest.raises(ZspaceError, match="not a .npy file"):
        load_npy(tmp_path / "bad.npy")


def test_no_pickle_or_torch_load_in_the_package() -> None:
    package = Path(__file__).parents[1] / "src" / "zspace"
    offenders = []
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("import pickle", "torch.load(", "allow_pickle=True", "cloudpickle", "joblib.load"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
        for line in text.splitlines():
            if "np.load(" in line and "allow_pickle=False" not in line:
                offenders.append(f"{path.name}: np.load without allow_pickle=False")
    assert offenders == []


def test_full_disk_leaves_the_old_cache_intact(tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) stands for a full disk: writes fail with EFBIG mid-way."""
    import resource
    import signal
    import subprocess
    import sys

    from zspace.data.cache import open_cache, prepare_cache
    from zspace.data.synthetic_faces import synthetic_faces_source

    old = prepare_cache(synthetic_faces_source(count=20, size=16), tmp_path / "cache")
    before = (tmp_path / "cache" / "images.npy").read_bytes()

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG errors instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    done = subprocess.run([sys.executable, "-m", "zspace", "prepare", "digits", "--size", "32", "--out",
                           str(tmp_path / "cache"), "--force"], capture_output=True, text=True,
                          preexec_fn=limit, timeout=300)
    assert done.returncode == 2, done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("zspace:")]  # not progress lines
    assert len(said) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "File too large" in said[0] and "file-size limit" in said[0]
    assert done.stderr.splitlines()[-1] == said[0]
    assert (tmp_path / "cache" / "images.npy").read_bytes() == before
    assert len(open_cache(tmp_path / "cache")) == len(old)


def test_signals_are_held_until_a_rename_pair_is_done() -> None:
    import signal
    import threading

    from zspace.io import signals_held

    got: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: got.append(number))
    try:
        with signals_held():
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # delivered to this thread, now
            for _ in range(100):  # give the interpreter every chance to run a handler
                pass
            assert got == []
        assert got == [signal.SIGTERM]  # acted on once the block ended
        assert signal.getsignal(signal.SIGTERM) is not None and got.count(signal.SIGTERM) == 1
    finally:
        signal.signal(signal.SIGTERM, previous)
