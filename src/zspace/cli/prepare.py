"""zspace prepare SOURCE [PATH] --out DIR"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.cli.progress import progress_bar
from zspace.data.cache import check_cache_output, prepare_cache
from zspace.data.sources import SOURCES, SourceOptions, open_source


def prepare(
    source: str = typer.Argument(..., help=f"Data source: {', '.join(SOURCES)}."),
    path: str = typer.Argument(None, help="Folder or file of the source (idx: the images file; "
                                          "fashion-mnist: default /usr/share/datasets/fashion-mnist)."),
    out: Path = typer.Option(..., "--out", "-o", help="Cache folder to write."),
    size: int = typer.Option(None, help="Image side in pixels (default: 64 for synthetic-faces, celeba and folder; "
                                     "32 for digits (8 px is too small for the nets); native for the others)."),
    count: int = typer.Option(None, help="synthetic-faces: how many to make (20000); others: keep the first COUNT."),
    seed: int = typer.Option(0, help="synthetic-faces: random seed."),
    crop: int = typer.Option(None, help="folder/celeba: centre square to crop before resizing "
                                        "(default: largest; celeba 148)."),
    labels: str = typer.Option(None, help="idx: IDX file of labels."),
    val_fraction: float = typer.Option(0.1, help="Share of images held out for validation when the source "
                                                 "has no split of its own."),
    workers: int = typer.Option(None, help="Decoding processes (default: one per core)."),
    on_corrupt: str = typer.Option("error", help="A damaged image: 'error' stops and names it; 'skip' drops it "
                                                 "and lists it in dataset.json."),
    max_corrupt: float = typer.Option(0.01, help="With --on-corrupt skip: stop anyway above this share damaged."),
    force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
) -> None:
    """Prepare a data source once into a uint8 image cache (images.npy + index.csv + dataset.json)."""
    check_cache_output(out, force)  # before reading the source, which may take a while
    options = SourceOptions(path=path, size=size, count=count, seed=seed, crop=crop, labels=labels)
    image_source = open_source(source, options)
    with progress_bar(image_source.count, "img", f"prepare {source}") as advance:
        cache = prepare_cache(image_source, out, val_fraction=val_fraction, force=force, workers=workers,
                              on_corrupt=on_corrupt, max_corrupt=max_corrupt, progress=advance)
    splits = ", ".join(f"{k} {v}" for k, v in cache.meta["splits"].items())
    if cache.meta["skipped"]:
        typer.echo(f"{cache.path}: skipped {len(cache.meta['skipped'])} damaged images (listed in dataset.json)")
    typer.echo(f"{cache.path}: {len(cache)} images of {cache.image_size}x{cache.image_size}x{cache.channels} "
               f"({splits})")
