"""zspace import FACTORY --data CACHE --out RUN [--weights W.safetensors] [--input-range 0,1|-1,1]"""

from __future__ import annotations

import math
from pathlib import Path

import typer


def import_model(
    factory: str = typer.Argument(..., help="path/to/file.py:function, package.module:function (returns an "
                                            "nn.Module with encode and decode), or diffusers:DIR (a folder "
                                            "written by AutoencoderKL.save_pretrained; nothing is downloaded)."),
    data: Path = typer.Option(..., help="Image cache the model takes (its images checked against the model, "
                                        "and the run's data from then on)."),
    out: Path = typer.Option(..., help="Run folder to write."),
    weights: Path = typer.Option(None, help="Weights to load into the module, a .safetensors file of its "
                                            "state_dict (default: the weights the factory gives it)."),
    input_range: str = typer.Option(None, help="Range of the images the model takes: 0,1 or -1,1 "
                                               "(default: -1,1 for diffusers:DIR, else 0,1)."),
    device: str = typer.Option("cpu", help="Torch device for the checks, e.g. cpu or cuda:0."),
    force: bool = typer.Option(False, "--force", help="Replace an existing run folder."),
) -> None:
    """Bring your own trained autoencoder (your module, or a diffusers VAE) into a run folder."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.flags import error_line
    from zspace.importing import import_model as run_import

    result = run_import(factory, data, out, weights=weights, input_range=input_range, force=force, device=device)
    record = result.record
    shape = " x ".join(map(str, record.latent_shape))
    size = math.prod(record.latent_shape)
    kind = "VAE" if record.variational else "AE"
    channels, height, width = record.image_shape
    typer.echo(f"{out}: imported {record.factory} ({kind}), latent {shape} ({size}-d flattened), "
               f"{height}x{width} px x {channels}, input range {record.input_range}")
    typer.echo(f"reconstruction error {result.reconstruction_error:.3f} (mean |pixel error| in [0, 1]; "
               f"a flat image: {result.flat_error:.3f})")
    for warning in result.warnings:
        typer.echo(error_line(warning).replace("zspace: error:", "zspace: warning:", 1), err=True)
    typer.echo(f"next: zspace encode {out}")
