"""zspace compare RUN_A RUN_B --n 8 --out FILE.png"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError


def compare(
    run_a: Path = typer.Argument(..., help="First run folder (its training data gives the images)."),
    run_b: Path = typer.Argument(..., help="Second run folder, same image size."),
    out: Path = typer.Option(..., help="PNG file to write."),
    n: int = typer.Option(8, help="Held-out images to reconstruct."),
    seed: int = typer.Option(0, help="Seed of the choice of images."),
    data: Path = typer.Option(None, help="Image cache to draw from (default: the one RUN_A trained on)."),
    scale: int = typer.Option(2, help="Pixel scale of the picture."),
    device: str = typer.Option("cpu", help="Torch device, e.g. cpu or cuda:0."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file."),
) -> None:
    """Originals and their reconstructions by two runs, one labelled row each (seed S19)."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.progress import progress_bar
    from zspace.devices import resolve_device
    from zspace.generate.compare import compare_reconstructions
    from zspace.io import check_output
    from zspace.report.grids import labelled_rows, save_image

    if out.is_dir():
        raise ZspaceError(f"--out {out} is a folder; give the path of a PNG file to write")
    if n < 1:
        raise ZspaceError(f"--n {n} is not allowed; compare needs at least 1 image")
    resolve_device(device)
    check_output(out, force)
    rows = compare_reconstructions(run_a, run_b, n, seed, data, device, progress_bar)
    title = f"reconstructions of {n} held-out images"
    save_image(labelled_rows(rows, scale=max(1, scale), title=title), out)
    typer.echo(f"{out}: {', '.join(label for label, _images in rows)}")
