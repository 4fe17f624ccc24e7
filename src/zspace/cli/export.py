"""zspace export RUN [--format parquet] [--out FILE] [--thumbnail PX] [--no-latent] [--force]"""

from __future__ import annotations

from pathlib import Path

import typer


def export(
    run: Path = typer.Argument(..., help="Run folder with latents.npy (made by 'zspace encode')."),
    format: str = typer.Option("parquet", "--format", help="Table format: parquet (the only one so far)."),
    out: Path = typer.Option(None, "--out", "-o", help="File to write (default: RUN/export.parquet)."),
    thumbnail: int = typer.Option(64, help="Largest side of the PNG image of each row, in pixels (larger cached "
                                  "images are scaled down); 0 = no image column."),
    latent: bool = typer.Option(True, "--latent/--no-latent", help="Include the latent vector of each row."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """One table of a run for other tools: row, map coordinates, latent vector, index columns, PNG image."""
    # imported when the command runs, so that 'zspace --help' stays fast
    from zspace.cli.progress import progress_bar
    from zspace.export import export_table

    summary = export_table(run, out, format, thumbnail=thumbnail, latent=latent, force=force,
                           progress=progress_bar)
    for note in summary.notes:
        typer.echo(note)
    typer.echo(f"{summary.path}: {summary.rows:,} rows in {summary.row_groups} row groups, "
               f"{len(summary.columns)} columns: {', '.join(summary.columns)}")
    for line in summary.maps:
        typer.echo(f"  map {line}")
    first = next((c[:-2] for c in summary.columns if c.endswith("_x")), None)
    if first is not None:
        image = " --image image" if "image" in summary.columns else ""
        typer.echo(f"open it: embedding-atlas {summary.path} --x {first}_x --y {first}_y{image}  "
                   f"(or pandas.read_parquet, then jscatter.plot(data=df, x='{first}_x', y='{first}_y'))")
