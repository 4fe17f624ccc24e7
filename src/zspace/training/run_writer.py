"""Writes a run folder as training goes: checkpoint, weights and history after every epoch."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import lightning as L

from zspace.io import write_text
from zspace.training.checkpoint import CHECKPOINT_FILE, MODEL_FILE, save_checkpoint, save_weights
from zspace.training.module import AutoencoderModule

HISTORY_FILE = "history.csv"
HISTORY_COLUMNS = (
    "epoch", "train_loss", "train_reconstruction", "train_kl",
    "val_loss", "val_reconstruction", "val_kl", "seconds", "images_per_second",
)


def read_history(path: Path) -> list[dict[str, float]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k: float(v) for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]


def write_history(path: Path, rows: list[dict[str, float]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (int(v) if k == "epoch" else f"{v:.6g}") for k, v in row.items()})
    write_text(path, buffer.getvalue())


class RunWriter(L.Callback):
    """After each epoch (rank 0): checkpoint.safetensors, model.safetensors, history.csv."""

    def __init__(self, run_dir: Path, history: list[dict[str, float]]) -> None:
        self.run_dir = run_dir
        self.history = history
        self.started = time.perf_counter()
        self.images = 0

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self.started = time.perf_counter()

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        assert isinstance(module, AutoencoderModule)
        means = module.epoch_means()  # collective: every rank must call it
        if trainer.global_rank != 0:
            return
        seconds = time.perf_counter() - self.started
        count = float(module.sums["train_count"]) * trainer.world_size
        row = {"epoch": module.epoch + 1, **means, "seconds": seconds, "images_per_second": count / seconds}
        self.history.append(row)
        optimizer = trainer.optimizers[0]
        progress = {"epochs_done": module.epoch + 1, "global_step": trainer.global_step}
        # The checkpoint is the commit point of an epoch: weights and history follow it.
        save_checkpoint(self.run_dir / CHECKPOINT_FILE, module.model, optimizer, progress)
        save_weights(self.run_dir / MODEL_FILE, module.model)
        write_history(self.run_dir / HISTORY_FILE, self.history)
