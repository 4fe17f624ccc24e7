"""Resume inside an epoch, Ctrl-C during training, --resume without a checkpoint, progress per epoch.

The runs are stopped in-process at a chosen optimizer step by wrapping RunWriter's batch hook
(no timing involved); the session's ``vae_run`` (same configs, never stopped, no mid-epoch
checkpoints) is the reference the resumed runs must equal bit for bit.
"""

from __future__ import annotations

import contextlib
import signal
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from conftest import tiny_configs
from safetensors.torch import load_file

from zspace.errors import Interrupted, ZspaceError
from zspace.training.history import read_history
from zspace.training.run_writer import RunWriter
from zspace.training.train import train

LOSSES = ("epoch", "train_loss", "train_reconstruction", "train_kl", "val_loss", "val_reconstruction", "val_kl")


def stop_after(monkeypatch: pytest.MonkeyPatch, step: int, error: BaseException) -> None:
    """Raise ``error`` once the run's optimizer step ``step`` is done (and checkpointed if due)."""
    original = RunWriter.on_train_batch_end

    def hooked(self: RunWriter, trainer, module, outputs, batch, batch_idx: int) -> None:
        original(self, trainer, module, outputs, batch, batch_idx)
        if self.start.global_step + trainer.global_step == step:
            raise error

    monkeypatch.setattr(RunWriter, "on_train_batch_end", hooked)


class Recorder:
    """A progress factory (zspace.progress) that remembers each step and how far it went."""

    def __init__(self) -> None:
        self.steps: list[list] = []

    @contextlib.contextmanager
    def __call__(self, total: int, unit: str, description: str):
        record = [description, total, 0]
        self.steps.append(record)
        yield lambda n: record.__setitem__(2, record[2] + n)


def test_interrupted_mid_epoch_then_resumed_equals_uninterrupted(
    faces_cache: Path, vae_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_cfg, train_cfg = tiny_configs(faces_cache)  # vae_run's configs: 6 batches an epoch, 2 epochs
    run = tmp_path / "run"
    stop_after(monkeypatch, 10, Interrupted(signal.SIGINT))
    with pytest.raises(Interrupted) as stopped:
        train(model_cfg, replace(train_cfg, checkpoint_every=4), run)
    # Checkpoints at steps 4 and 8 (epoch 2, batch 2); step 12 is an epoch end. Steps 9, 10 are lost.
    assert stopped.value.kept == [f"checkpoint at epoch 2, batch 2, step 8 in {run / 'checkpoint.safetensors'}"]
    assert [row["epoch"] for row in read_history(run / "history.csv")] == [1]
    monkeypatch.undo()

    recorder, lines = Recorder(), []
    resumed = train(model_cfg, train_cfg, run, resume=True, progress=recorder, on_epoch=lines.append)
    expected, got = load_file(str(vae_run / "model.safetensors")), load_file(str(run / "model.safetensors"))
    for key in expected:
        assert torch.equal(expected[key], got[key]), key  # bit for bit: data order, noise, BatchNorm, Adam
    reference = read_history(vae_run / "history.csv")
    for want, have in zip(reference, read_history(run / "history.csv"), strict=True):
        assert {k: want[k] for k in LOSSES} == {k: have[k] for k in LOSSES}  # the running sums too
    assert resumed.epochs_done == 2 and [row["epoch"] for row in resumed.history] == [1, 2]
    assert recorder.steps == [["epoch 2/2", 4, 4]]  # the 4 batches left of epoch 2, one bar
    assert [(line["epoch"], line["epochs"]) for line in lines] == [(2, 2)]


def test_ctrl_c_through_lightning_before_any_checkpoint(
    faces_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lightning answers KeyboardInterrupt with sys.exit(1); train() raises Interrupted instead."""
    handler = signal.getsignal(signal.SIGINT)
    stop_after(monkeypatch, 2, KeyboardInterrupt())
    run = tmp_path / "run"
    with pytest.raises(Interrupted) as stopped:
        train(*tiny_configs(faces_cache), run)
    assert stopped.value.signal_number == signal.SIGINT and stopped.value.kept == []
    assert not run.exists()  # no checkpoint yet: nothing to resume, so no half-made run is left
    assert signal.getsignal(signal.SIGINT) == handler  # Lightning had set it to SIG_IGN


@pytest.mark.parametrize("made", ["nothing", "configs only"])
def test_resume_without_checkpoint_is_refused(faces_cache: Path, vae_run: Path, tmp_path: Path, made: str) -> None:
    run = tmp_path / "run"
    if made == "configs only":  # a run stopped before its first checkpoint, by an older zspace
        run.mkdir()
        for name in ("config.json", "train_config.json"):
            (run / name).write_bytes((vae_run / name).read_bytes())
    before = sorted(p.name for p in run.iterdir()) if run.exists() else None
    with pytest.raises(ZspaceError, match="nothing to resume"):
        train(*tiny_configs(faces_cache), run, resume=True)
    assert (sorted(p.name for p in run.iterdir()) if run.exists() else None) == before


def test_checkpoint_every_must_not_be_negative(faces_cache: Path) -> None:
    with pytest.raises(ZspaceError, match="checkpoint_every -1"):
        replace(tiny_configs(faces_cache)[1], checkpoint_every=-1)
