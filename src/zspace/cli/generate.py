"""zspace generate RUN --sampler SPEC | --sweep SPEC | --attribute NAME | --interpolate I,J | --traverse AXIS"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError


def _numbers(text: str, option: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ZspaceError(
            f"{option} {text!r} is malformed; write numbers separated by commas, e.g. -4,-2,0,2,4"
        ) from None
    if not values:
        raise ZspaceError(f"{option} {text!r} is empty; write numbers separated by commas, e.g. -4,-2,0,2,4")
    return values


def _pair(text: str) -> tuple[int, int]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ZspaceError(f"--interpolate {text!r} is malformed; write two row numbers, e.g. --interpolate 3,17")
    return int(parts[0]), int(parts[1])


def generate(
    run: Path = typer.Argument(..., help="Run folder with model and latents.npy ('zspace encode')."),
    out: Path = typer.Option(None, help="Folder for z.npy, the grids and generate.json "
                             "(default: RUN/samples/<mode>-<spec>, where the report finds it)."),
    sampler: str = typer.Option(None, help="Sampler spec, e.g. normal, uniform:b=1.5, gmm:k=10,cov=full."),
    sweep: str = typer.Option(None, help="One parameter over several values, e.g. uniform:b=0.5,1,1.5,2."),
    attribute: str = typer.Option(None, help="Index column to move along (glasses, Smiling), or one class "
                                  "against the rest of a categorical one (label=Sneaker)."),
    factors: str = typer.Option("-4,-2,0,2,4", help="Multiples of the attribute vector (with --attribute)."),
    interpolate: str = typer.Option(None, help="Two latent rows I,J: linear and spherical paths between them."),
    steps: int = typer.Option(9, help="Points on an interpolation path."),
    traverse: str = typer.Option(None, help="component:I (0-based) or pca:J (1 = largest variance)."),
    offsets: str = typer.Option("-3,-2,-1,0,1,2,3", help="Traversal steps, in standard deviations of the axis."),
    rows: int = typer.Option(5, help="Held-out images (one row of the picture each) for --attribute, --traverse."),
    n: int = typer.Option(28, help="Samples to draw (per value with --sweep)."),
    seed: int = typer.Option(0, help="Seed of the sampling (and of the chosen faces)."),
    sharpen: float = typer.Option(None, help="PIL sharpness factor (seed: 7); also writes sharpen.png (0, 3, 6)."),
    save_images: bool = typer.Option(False, "--save-images", help="Also write one PNG per sample."),
    columns: int = typer.Option(7, help="Images per grid row."),
    scale: int = typer.Option(2, help="Pixel scale of the grids."),
    batch_size: int = typer.Option(256, help="Latent points decoded per batch."),
    device: str = typer.Option("cpu", help="Torch device, e.g. cpu or cuda:0."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out folder (as a whole)."),
) -> None:
    """Sample latent points and decode them into grids (seed S16-S18, X2), or sweep, move, interpolate."""
    modes = {"--sampler": sampler, "--sweep": sweep, "--attribute": attribute,
             "--interpolate": interpolate, "--traverse": traverse}
    chosen = [name for name, value in modes.items() if value is not None]
    if len(chosen) != 1:
        raise ZspaceError(f"give exactly one of {', '.join(modes)} (got {', '.join(chosen) or 'none'})")
    if columns < 1 or scale < 1:
        raise ZspaceError(f"--columns {columns} / --scale {scale}: both must be integers >= 1")
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.progress import progress_bar
    from zspace.devices import resolve_device
    from zspace.generate import from_run

    resolve_device(device)
    if out is None:
        mode = {"--sampler": "sample"}.get(chosen[0], chosen[0][2:])
        out = from_run.default_out(run, mode, str(modes[chosen[0]]))
    decoding = from_run.Decoding(batch_size=batch_size, device=device, sharpen=sharpen, columns=columns,
                                 scale=scale, progress=progress_bar)
    if sampler is not None:
        result = from_run.generate_samples(run, sampler, out, n, seed, save_images, decoding, force)
    elif sweep is not None:
        result = from_run.generate_sweep(run, sweep, out, n, seed, decoding, force)
    elif attribute is not None:
        result = from_run.generate_attribute(run, attribute, out, _numbers(factors, "--factors"), rows, seed,
                                             decoding, force)
    elif interpolate is not None:
        result = from_run.generate_interpolation(run, *_pair(interpolate), out, steps, decoding, force)
    else:
        result = from_run.generate_traversal(run, traverse, out, _numbers(offsets, "--offsets"), rows, seed,
                                             decoding, force)
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.reused_fit is not None:
        typer.echo(f"sampler: {'fitted state reused' if result.reused_fit else 'fitted and saved'} in {run}/samplers")
    shape = "x".join(str(s) for s in result.z.shape)
    typer.echo(f"{out}/z.npy: {shape} float32")
    for name, path in result.files.items():
        typer.echo(f"{name}: {path}")
