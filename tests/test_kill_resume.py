"""SIGKILL during training, then --resume: the final weights equal an uninterrupted run's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source

TRAIN = ["--model", "vae", "--filters", "8,16,16,16", "--latent-dim", "8", "--batch-size", "32",
         "--epochs", "3", "--seed", "5"]


def zspace(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "zspace", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_then_resume_matches_uninterrupted(tmp_path: Path) -> None:
    data = tmp_path / "faces"
    prepare_cache(synthetic_faces_source(count=640, size=32, seed=1), data)
    straight = zspace("train", str(data), "--out", str(tmp_path / "a"), *TRAIN)
    assert straight.wait(timeout=300) == 0

    victim = zspace("train", str(data), "--out", str(tmp_path / "b"), *TRAIN)
    history = tmp_path / "b" / "history.csv"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (history.is_file() and history.read_text().count("\n") >= 2):
        time.sleep(0.05)  # wait for the first epoch to be committed, then kill at a random moment
    time.sleep(random.uniform(0.0, 0.8))
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL

    resumed = zspace("train", str(data), "--out", str(tmp_path / "b"), *TRAIN, "--resume")
    assert resumed.wait(timeout=300) == 0
    a = load_file(str(tmp_path / "a" / "model.safetensors"))
    b = load_file(str(tmp_path / "b" / "model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6, msg=key)
    assert history.read_text().count("\n") == 4  # header + 3 epochs, none twice


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.02)


def test_sigkill_during_prepare_then_resume(tmp_path: Path) -> None:
    args = ["prepare", "synthetic-faces", "--count", "6000", "--size", "48", "--seed", "2", "--workers", "2"]
    straight = zspace(*args, "--out", str(tmp_path / "a"))
    assert straight.wait(timeout=300) == 0

    victim = zspace(*args, "--out", str(tmp_path / "b"))
    progress = tmp_path / ".b.partial" / "progress.json"
    wait_for(lambda: progress.is_file() and '"done": [' in progress.read_text() and
             progress.read_text().count(",") > 4)
    time.sleep(random.uniform(0.0, 0.3))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert not (tmp_path / "b").exists()  # never a half cache under the target name
    resumed = zspace(*args, "--out", str(tmp_path / "b"))
    assert resumed.wait(timeout=300) == 0
    a = (tmp_path / "a" / "dataset.json").read_text()
    b = (tmp_path / "b" / "dataset.json").read_text()
    checksum = [line for line in a.splitlines() if "checksum" in line]
    assert checksum and checksum[0] in b
    assert (tmp_path / "a" / "images.npy").read_bytes() == (tmp_path / "b" / "images.npy").read_bytes()


def test_sigkill_during_encode_leaves_the_old_latents(tmp_path: Path) -> None:
    from zspace.latents import encode

    data = tmp_path / "faces"
    prepare_cache(synthetic_faces_source(count=400, size=32, seed=1), data)
    run = tmp_path / "run"
    trained = zspace("train", str(data), "--out", str(run), *TRAIN[:-4], "--epochs", "1")
    assert trained.wait(timeout=300) == 0
    first = encode(run)
    before = (run / "latents.npy").read_bytes()
    prepare_cache(synthetic_faces_source(count=30_000, size=32, seed=1), tmp_path / "big")
    victim = zspace("encode", str(run), "--data", str(tmp_path / "big"), "--batch-size", "64")
    wait_for(lambda: any(p.name.startswith(".latents.npy") for p in run.iterdir()))
    time.sleep(random.uniform(0.1, 0.5))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert (run / "latents.npy").read_bytes() == before  # the previous complete file, untouched
    again = encode(run)
    assert np.array_equal(np.asarray(again.vectors), np.asarray(first.vectors))
    assert not list(run.glob(".latents.npy.*"))  # the killed run's temp file is cleaned up
