"""zspace train DATA --model vae --arch small --out RUN"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import typer

from zspace.cli.progress import MODE_VARIABLE, progress_bar
from zspace.config import TrainConfig
from zspace.data.cache import open_cache
from zspace.errors import Interrupted, ZspaceError
from zspace.models.architectures import ARCHITECTURES, model_config
from zspace.run import Run
from zspace.training.train import train as train_run


def parse_ints(text: str | None, option: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ZspaceError(f"{option} {text!r}: give integers separated by commas, e.g. 32,64,128,256") from None


def epoch_line(row: dict[str, float]) -> None:
    """One line per epoch for a log: epoch, losses, speed."""
    val = f", val loss {row['val_loss']:.2f}" if "val_loss" in row else ""
    typer.echo(f"epoch {int(row['epoch'])}/{int(row['epochs'])}: loss {row['train_loss']:.2f}{val}, "
               f"{row['images_per_second']:.0f} img/s, {row['seconds']:.0f} s", err=True)


def _refuse_an_imported_run(run: Run, resume: bool, force: bool) -> None:
    """A run made by 'zspace import' is not trained by zspace: one line, before any work (--force replaces it)."""
    record = run.imported() if run.exists() else None
    if record is None or (force and not resume):
        return
    raise ZspaceError(f"{run.path}: holds a model imported by 'zspace import' ({record.factory}); zspace does not "
                      "train imported models: train it with your own code and import it again, or train a zspace "
                      "model into another --out (--force replaces the imported run)")


def train(
    data: Path = typer.Argument(..., help="Image cache folder made by 'zspace prepare'."),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to write."),
    model: str = typer.Option("vae", help="ae or vae."),
    arch: str = typer.Option("small", help=f"Architecture preset: {', '.join(ARCHITECTURES)}."),
    latent_dim: int = typer.Option(None, help="Latent dimension (preset default: small 64, seed and seed-5x5 256)."),
    filters: str = typer.Option(None, help="Encoder filters, e.g. 32,64,128,256 (decoder: reversed)."),
    kernels: str = typer.Option(None, help="Kernel sizes per layer, e.g. 5,5,3,3."),
    strides: str = typer.Option(None, help="Strides per layer, e.g. 2,2,2,2."),
    upsampling: str = typer.Option(None, help="Decoder: transpose (Conv2DTranspose) or upsample (+Conv2D)."),
    dense_dim: int = typer.Option(None, help="Optional dense layer before the latent (seed post XII)."),
    batch_norm: bool = typer.Option(True, "--batch-norm/--no-batch-norm", help="BatchNorm after each conv."),
    epochs: int = typer.Option(5, help="Epochs in all (with --resume: the new total)."),
    batch_size: int = typer.Option(64, help="Global batch size (split across devices)."),
    lr: float = typer.Option(5e-4, help="Adam learning rate (seed: 5e-4)."),
    kl_weight: float = typer.Option(5.0, help="VAE: weight of the KL term against the summed BCE (seed: 5)."),
    precision: str = typer.Option("32", help="32, bf16-mixed, 16-mixed or 64."),
    accelerator: str = typer.Option("cpu", help="cpu, gpu, mps or auto (Lightning accelerators)."),
    devices: int = typer.Option(1, help="Devices per node."),
    num_nodes: int = typer.Option(1, help="Machines."),
    strategy: str = typer.Option("auto", help="Lightning strategy, e.g. ddp."),
    num_workers: int = typer.Option(0, help="Data loader worker processes."),
    channels_last: bool = typer.Option(False, "--channels-last", help="NHWC memory layout (GPUs with tensor cores)."),
    compile: bool = typer.Option(False, "--compile", help="torch.compile the network (first steps are slower)."),
    seed: int = typer.Option(0, help="Seed: same seed, same run (on the CPU)."),
    checkpoint_every: int = typer.Option(500, help="Checkpoint every N optimizer steps inside an epoch "
                                         "(0: at epoch ends only)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out from its last checkpoint."),
    force: bool = typer.Option(False, "--force", help="Replace an existing run in --out."),
) -> None:
    """Train a convolutional AE or VAE on an image cache (Lightning; weights in safetensors)."""
    cache = open_cache(data)
    config = model_config(
        arch, model=model, image_size=cache.image_size, channels=cache.channels, latent_dim=latent_dim,
        filters=parse_ints(filters, "--filters"), kernels=parse_ints(kernels, "--kernels"),
        strides=parse_ints(strides, "--strides"), upsampling=upsampling, dense_dim=dense_dim,
        batch_norm=batch_norm,
    )
    train_config = TrainConfig(
        data=str(data), epochs=epochs, batch_size=batch_size, learning_rate=lr, kl_weight=kl_weight,
        seed=seed, precision=precision, accelerator=accelerator, devices=devices, num_nodes=num_nodes,
        strategy=strategy, num_workers=num_workers, channels_last=channels_last, compile=compile,
        checkpoint_every=checkpoint_every,
    )
    run = Run(out)
    _refuse_an_imported_run(run, resume, force)
    if resume and run.has_checkpoint():
        typer.echo(f"{out}: resuming; the model and recipe come from its config.json and train_config.json")
    # A bar that moves on a terminal; in a log, the lines of every step (after 1 s, every ~10 % or 30 s)
    # without their end line, which the epoch line says better. ZSPACE_PROGRESS=bars|lines|off as for
    # every command.
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower()
    bars = mode == "bars" or (mode not in ("lines", "off") and sys.stderr.isatty())
    progress = progress_bar if bars else functools.partial(progress_bar, interactive=False, end_line=False)
    try:
        result = train_run(config, train_config, out, resume=resume, force=force,
                           progress=progress, on_epoch=None if mode == "off" else epoch_line)
    except Interrupted as stop:
        if run.has_checkpoint():
            stop.kept.append(f"continue with: zspace train {data} --out {out} --epochs {epochs} --resume")
        raise
    if result.main_process:
        from zspace.report.figures import write_loss_figure  # matplotlib: only once training is done

        write_loss_figure(run)
    if result.history:
        last = result.history[-1]
        val = f", val loss {last['val_loss']:.2f}" if "val_loss" in last else ""
        done = f"{result.epochs_done} epoch" + ("" if result.epochs_done == 1 else "s")
        typer.echo(f"{out}: {done}, train loss {last['train_loss']:.2f}{val}")
    typer.echo(f"{run.model_file}, {Run.CONFIG}, {Run.HISTORY}, {run.loss_figure_file.relative_to(run.path)}")
