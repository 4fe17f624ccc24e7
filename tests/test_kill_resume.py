"""SIGKILL during training, then --resume: the final weights equal an uninterrupted run's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

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
