"""zspace report RUN [--compare RUN2] [--out FILE.html] [--evaluation DIR ...]"""

from __future__ import annotations

from pathlib import Path

import typer


def report(
    run: Path = typer.Argument(..., help="Run folder (or an analysis folder made with --latents)."),
    compare: Path = typer.Option(None, help="A second run shown beside the first in every section (AE vs VAE)."),
    out: Path = typer.Option(None, help="HTML file to write (default: RUN/report.html)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file."),
    evaluation: list[Path] = typer.Option(None, "--evaluation", help="An output folder of zspace evaluate written "
                                          "elsewhere than RUN/evaluation/ (repeatable); shown for each run its rows "
                                          "name."),
) -> None:
    """One self-contained HTML report of a run: the seed's story for your model, figures embedded, offline."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.flags import REPORT_COMMANDS
    from zspace.report.build import build_report

    result = build_report(run, compare, out, force, commands=REPORT_COMMANDS, evaluations=evaluation or ())
    for section, commands in result.missing.items():
        for command in commands:
            typer.echo(f"  {section}: not made yet ({command})")
    typer.echo(f"{result.path}: {len(result.sections)} sections, {result.size_bytes / 2**20:.1f} MB"
               + (f", {result.downscaled} pictures downscaled" if result.downscaled else ""))
