"""zspace encode RUN [--data DIR]"""

from __future__ import annotations

import os
from pathlib import Path

import typer


def encode(
    run: Path = typer.Argument(..., help="Run folder made by 'zspace train'."),
    data: Path = typer.Option(None, help="Image cache to encode (default: the one the run trained on)."),
    out: Path = typer.Option(None, help="Folder for latents.npy (default: the run folder)."),
    batch_size: int = typer.Option(256, help="Images per batch."),
    device: str = typer.Option("cpu", help="Torch device, e.g. cpu or cuda:0 (under torchrun: cuda:LOCAL_RANK)."),
    force: bool = typer.Option(False, "--force", help="Replace latents that are already there."),
) -> None:
    """Encode every image of a cache: latents.npy (N x d, the mean for a VAE) and logvar.npy."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.progress import progress_bar
    from zspace.devices import resolve_device
    from zspace.encoding import distributed_rank
    from zspace.encoding import encode as encode_run

    rank, world_size = distributed_rank()  # torchrun / SLURM: each rank encodes a share, rank 0 merges
    if world_size > 1 and device == "cuda":
        device = f"cuda:{os.environ.get('LOCAL_RANK', '0')}"
    resolve_device(device)  # before any file is read or written
    latents = encode_run(run, data, out, batch_size=batch_size, device=device, progress=progress_bar,
                         rank=rank, world_size=world_size, force=force)
    if latents is None:
        return
    where = out or run
    extra = " and logvar.npy" if latents.logvar is not None else ""
    typer.echo(f"{where}/latents.npy: {latents.vectors.shape[0]} x {latents.dim} float32{extra}")
