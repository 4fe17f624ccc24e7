"""The training progress bar: epochs counted over the whole run (resumes included), from 1."""

from __future__ import annotations

import lightning as L
from lightning.pytorch.callbacks import TQDMProgressBar


class RunProgressBar(TQDMProgressBar):
    def __init__(self, total_epochs: int) -> None:
        super().__init__()
        self.total_epochs = total_epochs

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        super().on_train_epoch_start(trainer, module)
        epoch = getattr(module, "epoch", trainer.current_epoch) + 1
        self.train_progress_bar.set_description(f"epoch {epoch}/{self.total_epochs}")
