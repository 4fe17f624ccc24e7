"""train(): a run folder from an image cache, fresh or resumed.

A run folder (layout: :class:`zspace.run.Run`) holds ``config.json`` (ModelConfig),
``train_config.json``, ``model.safetensors`` (latest weights), ``checkpoint.safetensors``
(weights, Adam state, position), ``history.csv`` (losses per epoch) and ``figures/``.
Resuming continues from the checkpoint, at an epoch's end or inside an epoch: because
data order and noise are functions of (seed, epoch) and a mid-epoch checkpoint keeps the
noise generator and the running loss sums, a resumed CPU run ends with the same weights
as one that was never interrupted.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities.rank_zero import rank_zero_only

from zspace.config import ModelConfig, TrainConfig, load_config, save_config
from zspace.data.cache import open_cache
from zspace.devices import check_accelerator
from zspace.errors import Interrupted, ZspaceError
from zspace.io import remove_stale_temps
from zspace.models.autoencoder import Autoencoder, build_model
from zspace.models.weights import save_weights
from zspace.progress import Progress
from zspace.run import Run
from zspace.training.checkpoint import Position, load_checkpoint
from zspace.training.datamodule import CacheDataModule
from zspace.training.history import read_history, write_history
from zspace.training.module import AutoencoderModule
from zspace.training.progress import EpochProgress
from zspace.training.run_writer import RunWriter


@dataclass
class TrainResult:
    run_dir: Path
    model: Autoencoder
    history: list[dict[str, float]]
    epochs_done: int
    main_process: bool = True  # rank 0 of a distributed run (the one that writes figures)


LIGHTNING_LOGGERS = ("lightning", "lightning.pytorch", "lightning.fabric")


@contextlib.contextmanager
def quiet_lightning() -> Iterator[None]:
    """Lightning's info lines and two harmless warnings silenced inside the block only: afterwards the
    caller's log levels and warning filters are as they were."""
    levels = {name: logging.getLogger(name).level for name in LIGHTNING_LOGGERS}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        for name in LIGHTNING_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            yield
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)


def _seeded_model(model_config: ModelConfig, seed: int) -> Autoencoder:
    """The network with the initial weights of ``seed``: drawn from torch's CPU generator (the one
    that initialises modules), which :func:`train` gives back to the caller as it found it."""
    torch.default_generator.manual_seed(seed)
    return build_model(model_config)


def train(
    model_config: ModelConfig,
    train_config: TrainConfig,
    out: str | Path,
    resume: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> TrainResult:
    """Train ``model_config`` on the cache ``train_config.data`` into the run folder ``out``.

    ``progress`` gets one step per epoch, advanced per batch (zspace.progress); ``on_epoch``
    gets each epoch's history row (plus ``epochs``, the total). On Ctrl-C/SIGTERM (:class:`Interrupted`, or Lightning's
    KeyboardInterrupt) the exception says which checkpoint survives; a fresh run stopped before
    its first checkpoint is removed. The caller's process is left as it was: Lightning's log levels,
    the warning filters and torch's random state are changed only while training runs.
    """
    with quiet_lightning(), torch.random.fork_rng(devices=[]):  # training seeds torch's CPU generator
        return _train(model_config, train_config, out, resume, force, progress, on_epoch)


def _train(model_config: ModelConfig, train_config: TrainConfig, out: str | Path, resume: bool, force: bool,
           progress: Progress | None, on_epoch: Callable[[dict[str, float]], None] | None) -> TrainResult:
    run = Run(out)
    cache = open_cache(train_config.data)
    checksum = str(cache.meta.get("checksum", ""))
    if (model_config.image_size, model_config.channels) != (cache.image_size, cache.channels):
        raise ZspaceError(
            f"{cache.path}: images are {cache.image_size}px x {cache.channels} channels but the model "
            f"expects {model_config.image_size}px x {model_config.channels}"
        )
    model = _seeded_model(model_config, train_config.seed)  # same initial weights for the same seed
    optimizer_state, position = None, Position()

    # Under DDP, Lightning starts ranks 1.. by running this same command again once rank 0 is in
    # fit(); torchrun/SLURM start all ranks at once. Only rank 0 touches the run folder.
    rank_zero = rank_zero_only.rank == 0
    if resume:
        model_config, train_config, optimizer_state, position, model = _resume(run, train_config, checksum)
    else:
        check_accelerator(train_config.accelerator, train_config.devices)  # before the folder is touched
        if rank_zero:
            _make_room(run, force)
    train_config = replace(train_config, data=str(Path(train_config.data).resolve()), data_checksum=checksum)
    if rank_zero:
        run.path.mkdir(parents=True, exist_ok=True)
        save_config(run.config_file, model_config)
        save_config(run.train_config_file, train_config)
    remaining = train_config.epochs - position.epochs_done
    if remaining <= 0:
        if rank_zero:  # a kill between the last checkpoint and the files that follow it
            save_weights(run.model_file, model)
            write_history(run.history_file, position.history)
        return TrainResult(run.path, model.eval(), position.history, position.epochs_done)

    if train_config.channels_last:
        model = model.to(memory_format=torch.channels_last)  # inputs already arrive NHWC (loader.py)
    module = AutoencoderModule(model, train_config.kl_weight, train_config.learning_rate, train_config.seed,
                               position.epochs_done, optimizer_state, compile=train_config.compile,
                               resume_from=position)
    data = CacheDataModule(cache, train_config.batch_size, train_config.seed, position.epochs_done,
                           train_config.num_workers, pin_memory=train_config.accelerator != "cpu",
                           skip_batches=position.epoch_batches)
    writer = RunWriter(run, position, train_config.checkpoint_every, train_config.epochs, on_epoch)
    trainer = L.Trainer(
        max_epochs=remaining,
        accelerator=train_config.accelerator,
        devices=train_config.devices,
        num_nodes=train_config.num_nodes,
        strategy=train_config.strategy,
        precision=train_config.precision,
        logger=False,
        enable_checkpointing=False,  # our own safetensors checkpoints (RunWriter)
        enable_model_summary=False,
        enable_progress_bar=False,  # ours (EpochProgress): one bar, in the library's convention
        num_sanity_val_steps=0,
        use_distributed_sampler=False,  # EpochShuffle shards by itself, seeded by epoch
        # A run resumed mid-epoch has a shorter first epoch: its loader is rebuilt for the next ones.
        reload_dataloaders_every_n_epochs=1 if position.mid_epoch else 0,
        # Synchronised BatchNorm keeps a multi-GPU run on the single-device recipe; torch has it
        # for GPUs only, so on CPU processes each rank normalises over its own share of the batch.
        sync_batchnorm=train_config.devices * train_config.num_nodes > 1 and train_config.accelerator != "cpu",
        log_every_n_steps=train_config.log_every_n_steps,
        callbacks=[EpochProgress(progress, train_config.epochs), writer],
    )
    _fit(trainer, module, data, writer, fresh=not resume)
    return TrainResult(run.path, model.eval(), writer.history, train_config.epochs, trainer.global_rank == 0)


def _fit(trainer: L.Trainer, module: AutoencoderModule, data: CacheDataModule, writer: RunWriter,
         fresh: bool) -> None:
    """trainer.fit, with Ctrl-C and SIGTERM turned into :class:`Interrupted` saying what survives."""
    sigint = signal.getsignal(signal.SIGINT)
    try:
        trainer.fit(module, datamodule=data)
    except Interrupted as stop:  # the CLI's handlers; Lightning tears down and re-raises it
        _note_kept(stop, writer, fresh, trainer.global_rank)
        raise
    except SystemExit:  # Lightning answers a KeyboardInterrupt with sys.exit(1)
        if not isinstance(writer.exception, KeyboardInterrupt):
            raise
        stop = Interrupted(signal.SIGINT)
        _note_kept(stop, writer, fresh, trainer.global_rank)
        raise stop from None
    finally:  # Lightning leaves SIGINT ignored after a KeyboardInterrupt
        if sigint is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, sigint)


def _note_kept(stop: Interrupted, writer: RunWriter, fresh: bool, rank: int) -> None:
    if rank != 0:
        return
    if writer.saved is not None:
        stop.kept.append(f"checkpoint at {writer.saved.describe()} in {writer.run.checkpoint_file}")
    elif fresh:  # nothing to resume: leave no half-made run folder behind
        for path in (writer.run.config_file, writer.run.train_config_file):
            path.unlink(missing_ok=True)
        try:
            writer.run.path.rmdir()
        except OSError:
            pass


def _make_room(run: Run, force: bool) -> None:
    out = run.path
    if out.exists() and any(out.iterdir()) and not force:
        raise ZspaceError(f"{out}: run folder already exists; continue it with resume, replace it with force, "
                          "or choose another output folder", options=("resume", "force", "out"))
    if force and out.exists():
        if any(out.iterdir()) and not run.exists():
            raise ZspaceError(f"{out}: not a zspace run folder (no {Run.CONFIG}); refusing to delete it "
                              "even with force, choose another output folder", options="out")
        shutil.rmtree(out)


def _resume(run: Run, requested: TrainConfig, checksum: str):
    if not run.has_checkpoint():
        what = "no checkpoint" if run.exists() else "no such run folder" if not run.path.exists() else (
            "not a zspace run folder")
        raise ZspaceError(f"{run.path}: nothing to resume ({what}: {run.checkpoint_file.name} not found); "
                          "start a new run instead of resuming (with force to replace the folder)",
                          options=("resume", "force"))
    model_config = load_config(ModelConfig, run.config_file)
    stored = load_config(TrainConfig, run.train_config_file)
    check_accelerator(stored.accelerator, stored.devices)  # the stored recipe's, before anything is written
    if stored.data_checksum and stored.data_checksum != checksum:
        raise ZspaceError(f"{run.path}: was trained on another dataset ({stored.data}); "
                          "resume with the same data or start a new run in another output folder", options="out")
    model = _seeded_model(model_config, stored.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=stored.learning_rate)
    position = load_checkpoint(run.checkpoint_file, model, optimizer)
    if not position.history:  # a checkpoint written before the history moved into it
        position.history = [r for r in read_history(run.history_file) if r["epoch"] <= position.epochs_done]
    # Only the length of training may change on resume; the recipe stays the stored one. An epoch
    # in progress is always finished.
    least = position.epochs_done + (1 if position.mid_epoch else 0)
    train_config = replace(stored, epochs=max(requested.epochs, least))
    if rank_zero_only.rank == 0:
        for file in (run.checkpoint_file, run.model_file, run.history_file):
            remove_stale_temps(file)  # of a write that was killed
        write_history(run.history_file, position.history)
    return model_config, train_config, optimizer.state_dict(), position, model

