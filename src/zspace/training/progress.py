"""Training progress in the library's one convention: one step per epoch, advanced per batch.

Lightning's own bar is off; ``progress(total, "batch", "epoch 3/24")`` opens a step at the
start of each epoch (epochs counted over the whole run, resumes included) and is advanced
after each batch. Rank 0 only. The step is closed when the epoch's batches are done, and on
an exception (Ctrl-C) too.
"""

from __future__ import annotations

import contextlib
from typing import Any

import lightning as L

from zspace.progress import Advance, Progress, step


class EpochProgress(L.Callback):
    def __init__(self, progress: Progress | None, total_epochs: int) -> None:
        self.progress = progress
        self.total_epochs = total_epochs
        self._open = contextlib.ExitStack()
        self._advance: Advance | None = None

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        if trainer.global_rank != 0 or self.progress is None:
            return
        epoch = getattr(module, "epoch", trainer.current_epoch) + 1
        total = int(trainer.num_training_batches)
        self._advance = self._open.enter_context(
            step(self.progress, total, "batch", f"epoch {epoch}/{self.total_epochs}"))

    def on_train_batch_end(self, trainer: L.Trainer, module: L.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        if self._advance is not None:
            self._advance(1)

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self._close()

    def on_exception(self, trainer: L.Trainer, module: L.LightningModule, exception: BaseException) -> None:
        self._close()

    def _close(self) -> None:
        self._advance = None
        self._open.close()
