"""Kills at points the test chooses, then a rerun: nothing half-written, the result of an uninterrupted run.

No sleep that hopes. Each victim runs the real CLI with one library function wrapped
(``VICTIM``): after its N-th call the process prints "paused" and blocks on stdin, so
the test knows exactly where it stands when it sends SIGKILL (or SIGINT/SIGTERM), and
checks that the victim was there (a mid-epoch checkpoint, a temp file) before it kills.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from terminal_signals import default_signals

from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

TRAIN = ["--model", "vae", "--filters", "8,16,16,16", "--latent-dim", "8", "--batch-size", "32",
         "--seed", "5", "--checkpoint-every", "4"]

VICTIM = """
import importlib, sys
from zspace.cli.main import main
target, count, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
module_name, _, qualname = target.partition(":")
*path, name = qualname.split(".")
owner = importlib.import_module(module_name)
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)
calls = 0
def paused(*args, **kwargs):
    global calls
    result = original(*args, **kwargs)
    calls += 1
    if calls == count:
        print("paused", flush=True)
        sys.stdin.read()  # the test kills or interrupts this process here
    return result
setattr(owner, name, paused)
sys.exit(main(argv))
"""


def zspace(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "zspace", *args], capture_output=True, text=True, env=env,
                          timeout=600)


class Victim:
    """``zspace ARGS`` that pauses after the ``count``-th call of ``target`` ("module:Class.method")."""

    def __init__(self, target: str, count: int, *args: str, log: Path) -> None:
        self.log = log
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(log, "w") as err:  # a file, not a pipe nobody reads: the victim never blocks on it
            self.process = subprocess.Popen(
                [sys.executable, "-c", VICTIM, target, str(count), *args], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=err, text=True, env=env, start_new_session=True,
                preexec_fn=default_signals)

    def wait_paused(self, timeout: float = 300.0) -> None:
        """Block until the victim reports the pause (a readable pipe, no polling of files)."""
        assert self.process.stdout is not None
        while True:
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            assert ready, f"no pause within {timeout} s: {self.log.read_text()[-2000:]}"
            line = self.process.stdout.readline()
            assert line, f"the victim ended before its pause point: {self.log.read_text()[-2000:]}"
            if line.strip() == "paused":
                return

    def kill(self, sig: int = signal.SIGKILL) -> int:
        assert self.process.poll() is None, "the victim must still be at its pause point"
        if sig == signal.SIGKILL:
            os.killpg(self.process.pid, sig)  # the whole process group, workers included
        else:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=120)
        self.process.stdout.close()
        self.process.stdin.close()
        return code


def cache(path: Path, count: int) -> Path:
    prepare_cache(synthetic_faces_source(count=count, size=32, seed=1), path)
    return path


def progress_of(checkpoint: Path) -> dict:
    with safe_open(str(checkpoint), framework="pt") as handle:
        return json.loads(handle.metadata()["progress"])


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A cache (290 training images: 10 batches an epoch, the last of 2) and its run trained without a stop."""
    base = tmp_path_factory.mktemp("kill")
    data = cache(base / "faces", 320)
    done = zspace("train", str(data), "--out", str(base / "straight"), *TRAIN, "--epochs", "3")
    assert done.returncode == 0, done.stderr[-3000:]
    # stderr is a pipe, as in a log: no bar (neither Lightning's nor ours); inside an epoch, progress lines
    # when it takes more than a second (docs/cli.md), and one line per epoch that ends it.
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    inside = [line for line in lines if " batch, " in line]
    assert all(line.split(":")[0] in ("epoch 1/3", "epoch 2/3", "epoch 3/3") and "done," not in line
               for line in inside), done.stderr[-3000:]
    lines = [line for line in lines if line not in inside]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"], done.stderr[-3000:]
    assert all("val loss" in line and "img/s" in line for line in lines)
    return data, base / "straight"


# (wrapped function, calls before the pause, what the checkpoint must hold when the kill lands)
KILL_POINTS = {
    # Step 14 (epoch 2, batch 4) done; the checkpoint of step 12 (epoch 2, batch 2) is the newest.
    "mid-epoch": ("zspace.training.run_writer:RunWriter.on_train_batch_end", 14, (1, 2)),
    # The end-of-epoch-1 checkpoint (step 10) is in its temp file, not renamed: step 8 stays.
    "inside-checkpoint-write": ("zspace.training.checkpoint:save_file", 3, (0, 8)),
}


@pytest.mark.parametrize("point", [pytest.param(p, marks=pytest.mark.slow) if p != "mid-epoch" else p
                                   for p in KILL_POINTS])
def test_sigkill_then_resume_matches_uninterrupted(point: str, straight: tuple[Path, Path], tmp_path: Path) -> None:
    data, reference = straight
    target, count, (epochs_done, epoch_batches) = KILL_POINTS[point]
    run = tmp_path / "run"
    victim = Victim(target, count, "train", str(data), "--out", str(run), *TRAIN, "--epochs", "3",
                    log=tmp_path / "victim.log")
    victim.wait_paused()
    held = progress_of(run / "checkpoint.safetensors")
    assert (held["epochs_done"], held["epoch_batches"]) == (epochs_done, epoch_batches), held
    temps = list(run.glob(".checkpoint.safetensors.*.tmp"))
    assert bool(temps) == (point == "inside-checkpoint-write")
    assert victim.kill() == -signal.SIGKILL

    resumed = zspace("train", str(data), "--out", str(run), *TRAIN, "--epochs", "3", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a, b = load_file(str(reference / "model.safetensors")), load_file(str(run / "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key  # bit for bit, on the CPU
    history = (run / "history.csv").read_text().splitlines()
    assert len(history) == 4  # header + 3 epochs, none twice
    same = [line.split(",")[:7] for line in (reference / "history.csv").read_text().splitlines()]
    assert [line.split(",")[:7] for line in history] == same  # the losses too, not only the weights
    assert not list(run.glob(".*.tmp"))  # the killed write's temp file is cleaned up


def _cli_handles_signals() -> bool:
    import inspect

    import zspace.cli.main

    return "Interrupted" in inspect.getsource(zspace.cli.main)


@pytest.mark.skipif(not _cli_handles_signals(), reason="cli/main.py does not turn signals into Interrupted yet")
# SIGTERM meets Lightning's own SIGTERM handler (which calls ours); SIGINT's path is tested in-process.
@pytest.mark.parametrize("sig", [pytest.param(signal.SIGINT, marks=pytest.mark.slow), signal.SIGTERM],
                         ids=["SIGINT", "SIGTERM"])
def test_interrupted_training_says_what_survives(sig: int, straight: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = straight
    run = tmp_path / "run"
    log = tmp_path / "victim.log"
    victim = Victim("zspace.training.run_writer:RunWriter.on_train_batch_end", 5, "train", str(data),
                    "--out", str(run), *TRAIN, "--epochs", "3", log=log)
    victim.wait_paused()
    assert victim.kill(sig) == 128 + sig
    text = log.read_text()  # in a log, the epoch's progress lines (docs/cli.md), then the one line of the stop
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("epoch 1/3: ")]
    assert len(lines) == 1 and "Traceback" not in text, lines
    assert "epoch 1, batch 4, step 4" in lines[0] and "--resume" in lines[0], lines[0]
    assert progress_of(run / "checkpoint.safetensors")["global_step"] == 4


def test_sigkill_during_prepare_then_resume(tmp_path: Path) -> None:
    args = ["prepare", "synthetic-faces", "--count", "3000", "--size", "32", "--seed", "2", "--workers", "2"]
    straight = zspace(*args, "--out", str(tmp_path / "a"))
    assert straight.returncode == 0, straight.stderr[-2000:]
    # The 2nd save of progress.json is the first that records chunks done (the 1st is the empty plan).
    victim = Victim("zspace.data.cache_writer:save_json", 2, *args, "--out", str(tmp_path / "b"),
                    log=tmp_path / "victim.log")
    victim.wait_paused()
    progress = json.loads((tmp_path / ".b.partial" / "progress.json").read_text())
    assert progress["done"], progress
    victim.kill()
    assert not (tmp_path / "b").exists()  # never a half cache under the target name
    resumed = zspace(*args, "--out", str(tmp_path / "b"))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a = json.loads((tmp_path / "a" / "dataset.json").read_text())
    b = json.loads((tmp_path / "b" / "dataset.json").read_text())
    assert a["checksum"] == b["checksum"]
    assert (tmp_path / "a" / "images.npy").read_bytes() == (tmp_path / "b" / "images.npy").read_bytes()


def _encode_force() -> list[str]:
    """Replacing latents takes --force once encode refuses existing outputs (issue 11), none before."""
    import inspect

    import zspace.cli.encode

    return ["--force"] if "force" in inspect.signature(zspace.cli.encode.encode).parameters else []



def test_sigkill_during_encode_leaves_the_old_latents(straight: tuple[Path, Path], tmp_path: Path) -> None:
    data, reference = straight
    force = _encode_force()
    run = tmp_path / "run"
    run.mkdir()
    for name in ("config.json", "train_config.json", "model.safetensors"):
        (run / name).write_bytes((reference / name).read_bytes())
    first = zspace("encode", str(run))
    assert first.returncode == 0, first.stderr[-2000:]
    before = (run / "latents.npy").read_bytes()
    # 320 images in batches of 64: the victim stops after its 2nd batch of 5, mid-way through the file.
    victim = Victim("zspace.data.loader:CachedImages.__getitems__", 2, "encode", str(run), "--batch-size", "64",
                    *force, log=tmp_path / "victim.log")
    victim.wait_paused()
    assert list(run.glob(".latents.npy.*")), "the victim must be writing its temp file when killed"
    victim.kill()
    assert (run / "latents.npy").read_bytes() == before  # the previous complete file, untouched
    again = zspace("encode", str(run), *force)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (run / "latents.npy").read_bytes() == before  # the same vectors again
    assert not list(run.glob(".latents.npy.*"))  # the killed run's temp file is cleaned up
