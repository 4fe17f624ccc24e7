"""train(): a run folder from an image cache, fresh or resumed.

A run folder holds ``config.json`` (ModelConfig), ``train_config.json``,
``model.safetensors`` (latest weights), ``checkpoint.safetensors`` (weights,
Adam state, progress), ``history.csv`` (losses per epoch) and ``figures/``.
Resuming continues from the last completed epoch; because data order and
noise are functions of (seed, epoch), a resumed CPU run ends with the same
weights as one that was never interrupted.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities.rank_zero import rank_zero_only

from zspace.config import ModelConfig, TrainConfig, load_config, save_config
from zspace.data.cache import open_cache
from zspace.errors import ZspaceError
from zspace.models.autoencoder import Autoencoder, build_model
from zspace.training.checkpoint import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    TRAIN_CONFIG_FILE,
    load_checkpoint,
)
from zspace.training.datamodule import CacheDataModule
from zspace.training.module import AutoencoderModule
from zspace.training.progress import RunProgressBar
from zspace.training.run_writer import HISTORY_FILE, RunWriter, read_history, write_history


@dataclass
class TrainResult:
    run_dir: Path
    model: Autoencoder
    history: list[dict[str, float]]
    epochs_done: int


def _quiet_lightning() -> None:
    for name in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")


def train(
    model_config: ModelConfig,
    train_config: TrainConfig,
    out: str | Path,
    resume: bool = False,
    force: bool = False,
    progress_bar: bool = True,
) -> TrainResult:
    """Train ``model_config`` on the cache ``train_config.data`` into the run folder ``out``."""
    out = Path(out)
    cache = open_cache(train_config.data)
    checksum = str(cache.meta.get("checksum", ""))
    if (model_config.image_size, model_config.channels) != (cache.image_size, cache.channels):
        raise ZspaceError(
            f"{cache.path}: images are {cache.image_size}px x {cache.channels} channels but the model "
            f"expects {model_config.image_size}px x {model_config.channels}"
        )
    torch.manual_seed(train_config.seed)  # same initial weights for the same seed
    model = build_model(model_config)
    optimizer_state, epochs_done, history = None, 0, []

    # Under DDP, Lightning starts ranks 1.. by running this same command again once rank 0 is in
    # fit(); torchrun/SLURM start all ranks at once. Only rank 0 touches the run folder.
    rank_zero = rank_zero_only.rank == 0
    if resume and (out / CHECKPOINT_FILE).is_file():
        model_config, train_config, optimizer_state, epochs_done, history, model = _resume(
            out, train_config, checksum, rank_zero
        )
    elif not rank_zero:
        pass
    elif out.exists() and any(out.iterdir()) and not force and not resume:
        raise ZspaceError(f"{out}: run folder already exists; pass --resume to continue it, "
                          "--force to replace it, or choose another --out")
    elif force and out.exists() and not resume:
        if any(out.iterdir()) and not (out / CONFIG_FILE).is_file():
            raise ZspaceError(f"{out}: not a zspace run folder (no {CONFIG_FILE}); refusing to delete it "
                              "with --force, choose another --out")
        shutil.rmtree(out)
    train_config = replace(train_config, data=str(Path(train_config.data).resolve()), data_checksum=checksum)
    if rank_zero:
        out.mkdir(parents=True, exist_ok=True)
        save_config(out / CONFIG_FILE, model_config)
        save_config(out / TRAIN_CONFIG_FILE, train_config)
    remaining = train_config.epochs - epochs_done
    if remaining <= 0:
        return TrainResult(out, model.eval(), history, epochs_done)

    _quiet_lightning()
    if train_config.channels_last:
        model = model.to(memory_format=torch.channels_last)  # inputs already arrive NHWC (loader.py)
    module = AutoencoderModule(model, train_config.kl_weight, train_config.learning_rate, train_config.seed,
                               epochs_done, optimizer_state, compile=train_config.compile)
    data = CacheDataModule(cache, train_config.batch_size, train_config.seed, epochs_done,
                           train_config.num_workers, pin_memory=train_config.accelerator != "cpu")
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
        enable_progress_bar=progress_bar,
        num_sanity_val_steps=0,
        use_distributed_sampler=False,  # EpochShuffle shards by itself, seeded by epoch
        # Synchronised BatchNorm keeps a multi-GPU run on the single-device recipe; torch has it
        # for GPUs only, so on CPU processes each rank normalises over its own share of the batch.
        sync_batchnorm=train_config.devices * train_config.num_nodes > 1 and train_config.accelerator != "cpu",
        log_every_n_steps=train_config.log_every_n_steps,
        callbacks=[RunWriter(out, history), *([RunProgressBar(train_config.epochs)] if progress_bar else [])],
    )
    trainer.fit(module, datamodule=data)
    if trainer.global_rank == 0:
        _save_loss_figure(out, history)
    return TrainResult(out, model.eval(), history, train_config.epochs)


def _resume(out: Path, requested: TrainConfig, checksum: str, rank_zero: bool = True):
    model_config = load_config(ModelConfig, out / CONFIG_FILE)
    stored = load_config(TrainConfig, out / TRAIN_CONFIG_FILE)
    if stored.data_checksum and stored.data_checksum != checksum:
        raise ZspaceError(f"{out}: was trained on another dataset ({stored.data}); "
                          "resume with the same data or start a new --out")
    torch.manual_seed(stored.seed)
    model = build_model(model_config)
    optimizer = torch.optim.Adam(model.parameters(), lr=stored.learning_rate)
    progress = load_checkpoint(out / CHECKPOINT_FILE, model, optimizer)
    epochs_done = int(progress["epochs_done"])
    # Only the length of training may change on resume; the recipe stays the stored one.
    train_config = replace(stored, epochs=max(requested.epochs, epochs_done))
    history = [r for r in read_history(out / HISTORY_FILE) if r["epoch"] <= epochs_done]
    if rank_zero:
        write_history(out / HISTORY_FILE, history)
    return model_config, train_config, optimizer.state_dict(), epochs_done, history, model


def _save_loss_figure(out: Path, history: list[dict[str, float]]) -> None:
    if not history:
        return
    from zspace.report.figures import loss_curves_figure, save_figure

    save_figure(loss_curves_figure(history), out / "figures" / "loss.png")
