"""zspace evaluate --real A.npy --fake B.npy --out DIR: sample-quality metrics between two feature arrays."""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError
from zspace.evaluation.features import EvaluationOptions, measure_features
from zspace.evaluation.table import EVALUATION_FILE, NOTE, console_cells, write_evaluation
from zspace.io import load_npy


def print_table(rows: list[dict]) -> None:
    """The evaluation table on stdout: a rich table when rich is installed, else plain columns."""
    headings, cells = console_cells(rows)
    try:
        from rich import box
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headings)]
        typer.echo("  ".join(h.rjust(w) for h, w in zip(headings, widths, strict=True)))
        for row in cells:
            typer.echo("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        return
    table = Table(*headings, box=box.SIMPLE_HEAD, pad_edge=False)
    for row in cells:
        table.add_row(*row)
    console = Console()
    if not console.is_terminal:  # piped or captured: rich would assume 80 columns and cut the numbers
        console = Console(width=200)
    console.print(table)


def evaluate(
    real: Path = typer.Option(None, help="N x d .npy array of real features (one row per sample)."),
    fake: Path = typer.Option(None, help="M x d .npy array of generated features, same d."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder for evaluation.json/.csv/.md."),
    k: int = typer.Option(5, help="Nearest neighbours for precision/recall/density/coverage (Naeem et al.: 5)."),
    seed: int = typer.Option(0, help="Seed of the bootstrap, the KID subsets and the FD-at-n subsamples."),
    bootstrap: int = typer.Option(100, help="Bootstrap resamples for the FD interval; 0 = none."),
    confidence: float = typer.Option(0.95, help="Level of the FD interval."),
    kid_subsets: int = typer.Option(100, help="KID subsets (torch-fidelity: 100)."),
    kid_subset_size: int = typer.Option(1000, help="Rows per KID subset (torch-fidelity: 1000; capped at N, M)."),
    fd_points: int = typer.Option(15, help="Sample sizes for FD at several n and FD∞; 0 = none."),
    force: bool = typer.Option(False, "--force", help="Replace an existing evaluation folder."),
) -> None:
    """Measure FD (bootstrap interval, FD∞), KID, precision/recall, density/coverage between two feature arrays."""
    if real is None or fake is None:
        raise ZspaceError("give both --real A.npy and --fake B.npy (two N x d feature arrays) and --out DIR")
    if out is None:
        raise ZspaceError("--out DIR is needed: the folder for evaluation.json, .csv and .md")
    options = EvaluationOptions(k=k, seed=seed, bootstrap=bootstrap, confidence=confidence, kid_subsets=kid_subsets,
                                kid_subset_size=kid_subset_size, fd_points=fd_points)
    real_features = load_npy(real, mmap=True)
    fake_features = load_npy(fake, mmap=True)
    result = measure_features(real_features, fake_features, options, names=(str(real), str(fake)))
    row = {"real": str(real), "fake": str(fake), **result.row}
    write_evaluation(out, [row], result.per_sample, force=force)
    print_table([row])
    for side in ("real", "fake"):
        if row[f"rank_{side}"] < row["dim"]:
            typer.echo(f"note: the {side} covariance has rank {row[f'rank_{side}']} of {row['dim']} "
                       "(a flat Gaussian); FD is still defined, but some feature directions do not vary")
    typer.echo(NOTE)
    typer.echo(f"{out / EVALUATION_FILE}: 1 row; per-sample realism scores in {out / 'per_sample'}")
