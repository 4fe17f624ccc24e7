"""Ctrl-C and SIGTERM: exit 130 / 143, one line saying what was kept, no traceback (workers included).

Each victim is stopped at a moment the test controls, never after a sleep that hopes:

- prepare reads a folder whose last image is a named pipe (FIFO). A worker that opens it
  blocks until someone writes, so the test waits until the pipe has a reader (then the
  prepare is certainly running and cannot finish), and signals it then.
- a plain command is a test command that starts a forked worker, writes a file when both
  run, and waits.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from terminal_signals import default_signals

from zspace.cli.main import main
from zspace.data.cache import open_cache

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
TIMEOUT = 120.0


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


@contextmanager
def writer_once_read(fifo: Path, process: subprocess.Popen) -> Iterator[int]:
    """Wait until ``fifo`` has a reader, and hold it open for writing (so the reader keeps waiting)."""
    fd = -1

    def opened() -> bool:
        nonlocal fd
        assert process.poll() is None, process.communicate()[1]
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            return True
        except OSError as err:
            if err.errno != errno.ENXIO:  # ENXIO: nobody reads it yet
                raise
            return False

    wait_for(opened, f"a worker reads {fifo.name}")
    try:
        yield fd
    finally:
        os.close(fd)


def image_folder(root: Path, count: int) -> Path:
    folder = root / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(count):
        Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)).save(folder / f"{i:04d}.png")
    return folder


def zspace(*args: object) -> subprocess.Popen:
    # A new session: os.killpg then reaches the command and its workers, as Ctrl-C in a terminal does.
    return subprocess.Popen([sys.executable, "-m", "zspace", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=default_signals)


def zspace_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr and "Error" not in stderr.replace("zspace: error", ""), stderr
    return [line for line in stderr.splitlines() if line.startswith("zspace:")]


@pytest.mark.parametrize(("number", "to_group"), [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c-to-the-group", "sigterm-to-the-parent"])
def test_prepare_stopped_keeps_its_partial_cache_and_resumes(tmp_path: Path, number: int, to_group: bool) -> None:
    folder = image_folder(tmp_path, 600)  # 3 chunks of 256 rows: the pipe is in the last one
    fifo = folder / "9999.png"
    os.mkfifo(fifo)
    out = tmp_path / "cache"
    process = zspace("prepare", "folder", folder, "--size", "8", "--workers", "2", "--out", out)
    with writer_once_read(fifo, process):
        if to_group:
            os.killpg(process.pid, number)
        else:
            process.send_signal(number)
        _, stderr = process.communicate(timeout=TIMEOUT)
        # The worker stuck on the pipe is gone with its parent: the pipe has no reader left.
        with pytest.raises(OSError) as no_reader:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        assert no_reader.value.errno == errno.ENXIO
    assert process.returncode == 128 + number, stderr
    name = "SIGINT" if number == signal.SIGINT else "SIGTERM"
    assert zspace_lines(stderr) == [f"zspace: interrupted ({name}); kept: partial cache in {tmp_path}/.cache.partial;"
                                    " run the same command again to resume"]
    assert not out.exists() and (tmp_path / ".cache.partial" / "progress.json").is_file()

    # Resume once the pipe is a real image: the same bytes as a prepare that was never stopped.
    fifo.unlink()
    Image.new("RGB", (10, 12), "red").save(fifo)
    assert main(["prepare", "folder", str(folder), "--size", "8", "--workers", "2", "--out", str(out)]) == 0
    assert main(["prepare", "folder", str(folder), "--size", "8", "--workers", "1", "--out",
                 str(tmp_path / "fresh")]) == 0
    assert (out / "images.npy").read_bytes() == (tmp_path / "fresh" / "images.npy").read_bytes()
    assert open_cache(out).meta["checksum"] == open_cache(tmp_path / "fresh").meta["checksum"]
    assert not (tmp_path / ".cache.partial").exists()


WAITING_COMMAND = """
import multiprocessing, signal, sys
from pathlib import Path
from zspace.cli import main as cli

def worker(ready):
    # Like a DataLoader worker: it inherits the CLI's handlers and ends quietly on KeyboardInterrupt.
    try:
        ready.set()
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass

def wait():
    '''Start a forked worker, say it runs, then wait for a signal.'''
    ready = multiprocessing.get_context("fork").Event()
    multiprocessing.get_context("fork").Process(target=worker, args=(ready,), daemon=True).start()
    ready.wait()
    Path(sys.argv[1]).write_text("running")
    while True:
        signal.pause()

cli.COMMANDS["wait"] = ("__main__:wait", "A test command that waits.")
sys.exit(cli.main(["wait"]))
"""


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_command_that_kept_nothing_says_so(tmp_path: Path, number: int) -> None:
    ready = tmp_path / "running"
    process = subprocess.Popen([sys.executable, "-c", WAITING_COMMAND, str(ready)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=default_signals)
    wait_for(lambda: ready.exists() or process.poll() is not None, "the command runs")
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, number)  # the command and its forked worker, as Ctrl-C does
    _, stderr = process.communicate(timeout=TIMEOUT)
    name = "SIGINT" if number == signal.SIGINT else "SIGTERM"
    assert process.returncode == 128 + number, stderr
    assert stderr.splitlines() == [f"zspace: interrupted ({name}); kept: nothing (files are written whole or "
                                   "not at all)"]


def test_handlers_are_put_back_after_a_command(capsys: pytest.CaptureFixture) -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    main(["--version"])
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
