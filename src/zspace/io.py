"""Atomic, pickle-free reading and writing of every artefact zspace makes.

Every write goes to a temporary file in the destination folder, is flushed and
fsynced, then renamed over the destination: a reader sees either the old file
or the new one, never half of one, and a crash leaves the previous file intact.
Arrays are loaded with ``allow_pickle=False`` always.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import shutil
import signal
import tempfile
import threading
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from zspace.errors import ZspaceError


def _process_umask() -> int:
    """The process umask, read once at import: from /proc where the system tells it, else by setting
    it and setting it back (os.umask cannot read it otherwise), before any write of this module."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


UMASK = _process_umask()
FILE_MODE = 0o666 & ~UMASK  # what open() gives a new file under the umask (mkstemp gives 0600)
FOLDER_MODE = 0o777 & ~UMASK  # what mkdir gives a new folder (mkdtemp gives 0700)


@contextlib.contextmanager
def atomic_path(destination: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it over on success.

    The caller writes the whole file to the yielded path. On an exception the
    temporary file is removed and ``destination`` is left as it was.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale_temps(destination: str | os.PathLike) -> None:
    """Remove the temporary files :func:`atomic_path` left beside ``destination`` in a write that was killed."""
    destination = Path(destination)
    for stale in destination.parent.glob(f".{glob.escape(destination.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


def write_bytes(destination: str | os.PathLike, data: bytes) -> None:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)


def write_text(destination: str | os.PathLike, text: str) -> None:
    write_bytes(destination, text.encode("utf-8"))


def save_json(destination: str | os.PathLike, obj: Any) -> None:
    write_text(destination, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def load_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    if not path.is_file():
        raise ZspaceError(f"{path}: file not found; check the path")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ZspaceError(f"{path}: not valid JSON ({err}); restore or recreate it") from None


def save_npy(destination: str | os.PathLike, array: np.ndarray) -> None:
    array = np.asarray(array)
    if array.dtype == object:
        raise ZspaceError(f"{destination}: refusing to save an object array (it would need pickle)")
    with atomic_path(destination) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)


def create_npy(path: str | os.PathLike, shape: tuple[int, ...], dtype: np.dtype | type) -> np.memmap:
    """A new .npy file of ``shape`` mapped for writing, its disk space reserved up front.

    Without the reservation a memmap is a sparse file, and a full disk shows up later as a
    SIGBUS crash in the middle of writing; with it, as an OSError (ENOSPC) right here.
    """
    array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    size = os.path.getsize(path)
    if size and hasattr(os, "posix_fallocate"):
        with open(path, "rb+") as handle:
            try:
                os.posix_fallocate(handle.fileno(), 0, size)
            except OSError as err:
                if err.errno not in (errno.EOPNOTSUPP, errno.EINVAL):  # filesystems without fallocate
                    raise
    return array


def load_npy(path: str | os.PathLike, mmap: bool = False) -> np.ndarray:
    """Load a ``.npy`` array without pickle; ``mmap=True`` maps it read-only."""
    path = Path(path)
    if not path.is_file():
        raise ZspaceError(f"{path}: file not found; check the path")
    with open(path, "rb") as handle:
        if handle.read(6) != b"\x93NUMPY":
            raise ZspaceError(f"{path}: not a .npy file (no NumPy header); save the array with numpy.save")
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err) or "Python objects" in str(err):  # object arrays, loaded or mapped
            raise ZspaceError(
                f"{path}: holds Python objects (pickle), which zspace never loads; "
                "save a numeric array with numpy.save"
            ) from None
        raise ZspaceError(f"{path}: not a readable .npy array ({err})") from None
    except (OSError, EOFError, SyntaxError, TypeError, tokenize.TokenError) as err:
        # A damaged header reaches numpy's literal parser, which raises any of these.
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ZspaceError(f"{path}: not a readable .npy array ({first}); save it again with numpy.save") from None


def check_output(path: str | os.PathLike, force: bool = False, marker: str | None = None) -> None:
    """Refuse to write over an existing output unless ``force``.

    ``path`` may be a file or a folder. With ``force``, a non-empty folder is only
    replaced when it holds ``marker`` (a file zspace writes into such outputs, e.g.
    ``metrics.json``), so that a mistyped output path never deletes the user's folder.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if path.is_dir() and not any(path.iterdir()):
        return  # an empty folder is as good as none
    if not force:
        kind = "folder" if path.is_dir() else "file"
        raise ZspaceError(f"{path}: {kind} already exists; choose another output path, "
                          "or replace it with force", options=("out", "force"))
    if path.is_dir() and marker is not None and not (path / marker).exists():
        raise ZspaceError(f"{path}: not an output folder of zspace (no {marker}); refusing to replace it "
                          "even with force, choose another output path")


@contextlib.contextmanager
def replace_folder(destination: str | os.PathLike, force: bool = False, marker: str | None = None) -> Iterator[Path]:
    """Yield a new, empty temporary folder beside ``destination``; on success it replaces ``destination`` whole.

    A reader sees the old folder or the new one, never a mix of old and new files:
    the old folder is renamed aside, the new one renamed into place, then the old
    one deleted. On an exception (a full disk, Ctrl-C) the temporary folder is
    removed and ``destination`` is left as it was. See :func:`check_output` for
    ``force`` and ``marker``.
    """
    destination = Path(destination)
    check_output(destination, force, marker)
    destination.parent.mkdir(parents=True, exist_ok=True)
    for stale in destination.parent.glob(f".{destination.name}.*.partial"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent))
    os.chmod(tmp, FOLDER_MODE)  # never os.umask here: it is process-wide, and a server writes from threads
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    with signals_held():  # a Ctrl-C between the two renames would leave no folder at all
        if destination.exists() or destination.is_symlink():
            old = destination.parent / f".{destination.name}.{os.getpid()}.old"
            os.replace(destination, old)
        try:
            os.replace(tmp, destination)
        except BaseException:
            if old is not None:
                os.replace(old, destination)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then act on them: for steps that must not be split.

    Only in the main thread (the only one that may set handlers); elsewhere the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(number, lambda received, frame: caught.append(received))
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(number, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # e.g. the CLI's: raises Interrupted now, after the block
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])
