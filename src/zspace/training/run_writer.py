"""Writes a run folder as training goes: checkpoints within and after epochs, weights and history."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import lightning as L

from zspace.models.weights import save_weights
from zspace.run import Run
from zspace.training.checkpoint import Position, save_checkpoint
from zspace.training.history import write_history
from zspace.training.module import AutoencoderModule


class RunWriter(L.Callback):
    """Rank 0 writes checkpoint.safetensors every ``checkpoint_every`` optimizer steps inside an
    epoch and after each epoch, then model.safetensors and history.csv after each epoch.

    ``start`` is where this fit begins (a resumed run's checkpoint position); ``saved`` is the
    last position committed to disk, None while the run has no checkpoint.
    """

    def __init__(self, run: Run, start: Position, checkpoint_every: int, total_epochs: int,
                 on_epoch: Callable[[dict[str, float]], None] | None = None) -> None:
        self.run = run
        self.start = start
        self.saved: Position | None = start if run.has_checkpoint() else None
        self.history = list(start.history)
        self.checkpoint_every = checkpoint_every
        self.total_epochs = total_epochs
        self.on_epoch = on_epoch
        self.exception: BaseException | None = None
        self.started = time.perf_counter()
        self.carried = 0.0  # seconds of the resumed epoch spent before this fit

    def _continues(self, trainer: L.Trainer) -> bool:
        return trainer.current_epoch == 0 and self.start.mid_epoch

    def _seconds(self) -> float:
        return self.carried + time.perf_counter() - self.started

    def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self.started = time.perf_counter()
        self.carried = self.start.seconds if self._continues(trainer) else 0.0

    def on_train_batch_end(self, trainer: L.Trainer, module: L.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        assert isinstance(module, AutoencoderModule)
        step = self.start.global_step + trainer.global_step
        if not self.checkpoint_every or step % self.checkpoint_every:
            return
        if batch_idx + 1 >= trainer.num_training_batches:
            return  # the epoch's end writes one in a moment
        noise, sums = module.rank_state()  # collective: every rank must call it
        if trainer.global_rank != 0:
            return
        done = batch_idx + 1 + (self.start.epoch_batches if self._continues(trainer) else 0)
        self._commit(trainer, module, Position(module.epoch, done, step, self._seconds(), trainer.world_size,
                                               self.history, noise, sums))

    def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        assert isinstance(module, AutoencoderModule)
        means = module.epoch_means()  # collective: every rank must call it
        if trainer.global_rank != 0:
            return
        seconds = self._seconds()
        count = float(module.sums["train_count"]) * trainer.world_size
        row = {"epoch": module.epoch + 1, **means, "seconds": seconds, "images_per_second": count / seconds}
        self.history.append(row)
        step = self.start.global_step + trainer.global_step
        # The checkpoint is the commit point of an epoch: weights and history follow it.
        self._commit(trainer, module, Position(module.epoch + 1, 0, step, 0.0, trainer.world_size, self.history))
        save_weights(self.run.model_file, module.model)
        write_history(self.run.history_file, self.history)
        if self.on_epoch is not None:
            self.on_epoch({**row, "epochs": self.total_epochs})

    def _commit(self, trainer: L.Trainer, module: AutoencoderModule, position: Position) -> None:
        save_checkpoint(self.run.checkpoint_file, module.model, trainer.optimizers[0], position)
        self.saved = position

    def on_exception(self, trainer: L.Trainer, module: L.LightningModule, exception: BaseException) -> None:
        self.exception = exception
