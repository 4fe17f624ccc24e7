"""zspace evaluate: sample quality of runs' samplers (RUN ...), or between two feature arrays (--real/--fake)."""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError


def print_table(rows: list[dict]) -> None:
    """The evaluation table on stdout: a rich table when rich is installed, else plain columns."""
    from zspace.evaluation.table import console_cells

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
    runs: list[Path] = typer.Argument(None, metavar="RUN",
                                      help="Run folders (trained and encoded) whose samplers to measure."),
    real: Path = typer.Option(None, help="Bring your own features: N x d .npy array of real features."),
    fake: Path = typer.Option(None, help="Bring your own features: M x d .npy array of generated features, same d."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder for evaluation.json/.csv/.md."),
    samplers: str = typer.Option("default", help="Samplers for RUN mode: specs separated by ',' (or by ';'), "
                                 "e.g. normal,gmm:k=10,cov=full; 'default': those listed in docs/generation.md."),
    n: int = typer.Option(10_000, "--n", help="Samples per sampler (RUN mode); held-out images are capped at n."),
    judge: str = typer.Option("auto", help="Judge network (RUN mode): auto, classifier, factors or random."),
    judge_weights: Path = typer.Option(None, help="Local Inception-v3 weights (not supported yet; see docs)."),
    k: int = typer.Option(5, help="Nearest neighbours for precision/recall/density/coverage (Naeem et al.: 5)."),
    seed: int = typer.Option(0, help="Seed of the samples, the bootstrap, the KID subsets and the FD-at-n subsamples."),
    bootstrap: int = typer.Option(None, help="Bootstrap resamples for the FD interval; 0 = none "
                                             "(default 100 for --real/--fake, 25 for runs)."),
    confidence: float = typer.Option(0.95, help="Level of the FD interval."),
    kid_subsets: int = typer.Option(100, help="KID subsets (torch-fidelity: 100)."),
    kid_subset_size: int = typer.Option(1000, help="Rows per KID subset (torch-fidelity: 1000; capped at N, M)."),
    fd_points: int = typer.Option(15, help="Sample sizes for FD at several n and FD∞; 0 = none."),
    device: str = typer.Option("cpu", help="Device for decoding and the judge (RUN mode)."),
    threads: int = typer.Option(None, help="torch CPU threads (RUN mode); 1 is often fastest on shared cores."),
    force: bool = typer.Option(False, "--force", help="Replace an existing evaluation folder."),
) -> None:
    """Sample quality of each sampler of run folders, or between two feature arrays (FD, KID, PRDC).

    FD with a bootstrap interval and FD∞, KID, precision/recall, density/coverage in a judge network's
    features against held-out data, plus latent off-manifold distance and cycle error."""
    if judge_weights is not None:
        raise ZspaceError(f"--judge-weights {judge_weights}: Inception-v3 weights are not supported yet (zspace "
                          "could not test them offline); use --judge auto|classifier|factors|random, or compute "
                          "Inception features elsewhere and run zspace evaluate --real A.npy --fake B.npy")
    if out is None:
        raise ZspaceError("--out DIR is needed: the folder for evaluation.json, .csv and .md")
    if runs and (real is not None or fake is not None):
        raise ZspaceError("give run folders or --real/--fake feature arrays, not both")
    if threads is not None:
        if threads < 1:
            raise ZspaceError(f"--threads {threads}: use 1 or more")
        import torch

        torch.set_num_threads(threads)
    if runs:
        _evaluate_runs(runs, out, samplers, n, judge, k, seed, 25 if bootstrap is None else bootstrap, confidence,
                       kid_subsets, kid_subset_size, fd_points, device, force)
        return
    if real is None or fake is None:
        raise ZspaceError("give run folders (zspace evaluate RUN ... --out DIR), or both --real A.npy and "
                          "--fake B.npy (two N x d feature arrays)")
    _evaluate_arrays(real, fake, out, k, seed, 100 if bootstrap is None else bootstrap, confidence, kid_subsets,
                     kid_subset_size, fd_points, force)


def _evaluate_runs(runs: list[Path], out: Path, samplers: str, n: int, judge: str, k: int, seed: int,
                   bootstrap: int, confidence: float, kid_subsets: int, kid_subset_size: int, fd_points: int,
                   device: str, force: bool) -> None:
    from zspace.cli.progress import progress_bar
    from zspace.evaluation.judges import CHOICES
    from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs, write_run_evaluation
    from zspace.evaluation.table import EVALUATION_FILE, NOTE
    from zspace.io import check_output
    from zspace.samplers import parse_sampler_list

    specs = parse_sampler_list(samplers)  # every spec checked before any work
    if judge not in CHOICES:
        raise ZspaceError(f"--judge {judge}: choose one of {', '.join(CHOICES)}")
    if n < 2:
        raise ZspaceError(f"--n {n}: draw at least 2 samples per sampler")
    check_output(out, force, marker=EVALUATION_FILE)  # refuse before the work, not after
    options = RunEvaluationOptions(samplers=specs, num_samples=n, seed=seed, judge=judge, k=k,
                                   bootstrap=bootstrap, kid_subsets=kid_subsets, kid_subset_size=kid_subset_size,
                                   fd_points=fd_points, confidence=confidence, device=device)
    evaluation = evaluate_runs([str(r) for r in runs], options, progress=progress_bar)
    write_run_evaluation(out, evaluation, options, force=force)
    print_table(evaluation.rows)
    for line in evaluation.findings:
        typer.echo(f"- {line}")
    for line in evaluation.notes:
        typer.echo(f"note: {line}")
    for record in evaluation.judges:
        state = "reused" if record["reused"] else f"trained in {record.get('seconds', 0):.0f} s"
        typer.echo(f"judge {record['judge']} of {record['cache']}: {state}; {record.get('heldout_summary')}")
    typer.echo(NOTE)
    typer.echo(f"{out / EVALUATION_FILE}: {len(evaluation.rows)} rows; ranking in {out / 'ranking.png'}; "
               f"per-sample realism and z in {out / 'per_sample'}")


def _evaluate_arrays(real: Path, fake: Path, out: Path, k: int, seed: int, bootstrap: int, confidence: float,
                     kid_subsets: int, kid_subset_size: int, fd_points: int, force: bool) -> None:
    from zspace.evaluation.features import EvaluationOptions, measure_features
    from zspace.evaluation.table import EVALUATION_FILE, NOTE, write_evaluation
    from zspace.io import load_npy

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
