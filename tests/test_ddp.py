"""Scale-out: DDP with 2 CPU processes (gloo) follows the single-process loss trajectory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.training.history import read_history

# No BatchNorm: torch synchronises it only on GPUs, so on CPU ranks would normalise over
# their own half-batch and the runs would differ for that reason alone.
# A checkpoint every 3 steps (8 an epoch): the mid-epoch ones gather every rank's state.
TRAIN = ["--model", "ae", "--filters", "8,16,16,16", "--latent-dim", "8", "--batch-size", "32",
         "--epochs", "2", "--no-batch-norm", "--seed", "3", "--checkpoint-every", "3"]


def train(*args: str) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, "-m", "zspace", "train", *args], capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]


def test_ddp_two_processes_match_one(tmp_path: Path) -> None:
    data = tmp_path / "faces"
    # 256 training images: every global batch of 32 splits into two equal halves, no padding.
    prepare_cache(synthetic_faces_source(count=256, size=32, seed=2), data, val_fraction=0.0)
    train(str(data), *TRAIN, "--out", str(tmp_path / "one"))
    train(str(data), *TRAIN, "--devices", "2", "--strategy", "ddp", "--out", str(tmp_path / "two"))
    one, two = read_history(tmp_path / "one" / "history.csv"), read_history(tmp_path / "two" / "history.csv")
    assert [r["epoch"] for r in two] == [1, 2]
    for a, b in zip(one, two, strict=True):
        assert abs(a["train_loss"] - b["train_loss"]) <= 1e-4 * a["train_loss"], (a, b)
    first, second = load_file(str(tmp_path / "one" / "model.safetensors")), load_file(
        str(tmp_path / "two" / "model.safetensors"))
    for key in first:
        torch.testing.assert_close(first[key], second[key], rtol=1e-3, atol=1e-4, msg=key)

