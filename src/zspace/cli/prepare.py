"""zspace prepare SOURCE [PATH] --out DIR"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.cli.progress import progress_bar
from zspace.data.cache import prepare_cache
from zspace.data.sources import SOURCES, SourceOptions, open_source


def prepare(
    source: str = typer.Argument(..., help=f"Data source: {', '.join(SOURCES)}."),
    path: str = typer.Argument(None, help="Folder or file of the source (idx: the images file; "
                                          "fashion-mnist: default /usr/share/datasets/fashion-mnist)."),
    out: Path = typer.Option(..., "--out", "-o", help="Cache folder to write."),
    size: int = typer.Option(None, help="Image side in pixels (default: 64 for faces/folder, native otherwise)."),
    count: int = typer.Option(None, help="synthetic-faces: how many to make (20000); others: keep the first COUNT."),
    seed: int = typer.Option(0, help="synthetic-faces: random seed."),
    crop: int = typer.Option(None, help="folder: centre square to crop before resizing (default: largest)."),
    labels: str = typer.Option(None, help="idx: IDX file of labels."),
    val_fraction: float = typer.Option(0.1, help="Share of images held out for validation when the source "
                                                 "has no split of its own."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Prepare a data source once into a uint8 image cache (images.npy + index.csv + dataset.json)."""
    options = SourceOptions(path=path, size=size, count=count, seed=seed, crop=crop, labels=labels)
    image_source = open_source(source, options)
    with progress_bar(image_source.count, "img", f"prepare {source}") as advance:
        cache = prepare_cache(image_source, out, val_fraction=val_fraction, force=force, progress=advance)
    splits = ", ".join(f"{k} {v}" for k, v in cache.meta["splits"].items())
    typer.echo(f"{cache.path}: {len(cache)} images of {cache.image_size}x{cache.image_size}x{cache.channels} "
               f"({splits})")
