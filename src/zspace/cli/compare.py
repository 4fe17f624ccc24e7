"""zspace compare RUN_A RUN_B --n 8 --out FILE.png"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.cli.progress import progress_bar
from zspace.generate.compare import compare_reconstructions
from zspace.generate.panels import labelled_rows
from zspace.generation import save_image


def compare(
    run_a: Path = typer.Argument(..., help="First run folder (its training data gives the images)."),
    run_b: Path = typer.Argument(..., help="Second run folder, same image size."),
    out: Path = typer.Option(..., help="PNG file to write."),
    n: int = typer.Option(8, help="Held-out images to reconstruct."),
    seed: int = typer.Option(0, help="Seed of the choice of images."),
    data: Path = typer.Option(None, help="Image cache to draw from (default: the one RUN_A trained on)."),
    scale: int = typer.Option(2, help="Pixel scale of the picture."),
    device: str = typer.Option("cpu", help="Torch device, e.g. cpu or cuda:0."),
) -> None:
    """Originals and their reconstructions by two runs, one labelled row each (seed S19)."""
    with progress_bar(2 * n, "img", "reconstruct") as advance:
        rows = compare_reconstructions(run_a, run_b, n, seed, data, device, advance)
    save_image(labelled_rows(rows, scale=max(1, scale)), out)
    typer.echo(f"{out}: {', '.join(label for label, _images in rows)}")
