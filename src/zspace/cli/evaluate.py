"""zspace evaluate: sample quality of runs' samplers (RUN ...), or between two feature arrays (--real/--fake)."""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError


def print_table(rows: list[dict]) -> None:
    """The evaluation table on stdout: a rich table when rich is installed, else plain columns."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.evaluation.table import console_cells

    print_cells(*console_cells(rows))


LOG_WIDTH = 200  # columns of the table when stdout is not a terminal (a log, a pipe)
PLAIN_GAP = 2  # spaces between two columns of the plain table
RICH_GAP = 3  # rich's: a space of padding either side of the (blank) column rule


def column_groups(widths: list[int], available: int, gap: int = PLAIN_GAP) -> list[list[int]]:
    """Columns 1.. in groups that fit ``available`` characters beside column 0, which every group repeats
    (at most half the width: a longer first cell wraps). Every number stays whole, however narrow."""
    first = min(widths[0], max(available // 2, 1))
    groups: list[list[int]] = [[]]
    used = first
    for index in range(1, len(widths)):
        if groups[-1] and used + gap + widths[index] > available:
            groups.append([])
            used = first
        groups[-1].append(index)
        used += gap + widths[index]
    return groups


def print_cells(headings: list[str], cells: list[list[str]]) -> None:
    """Any table of formatted cells on stdout, as :func:`print_table` prints the rows: as many tables as it
    takes to fit the terminal's width, each beginning with the first column, so no number is cut."""
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headings)]
    try:
        # the library loads when the command runs, so zspace --help stays fast
        from rich import box
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        # the library loads when the command runs, so zspace --help stays fast
        import shutil
        import sys

        available = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else LOG_WIDTH
        for number, group in enumerate(column_groups(widths, max(available, 20))):
            chosen = [0, *group]
            typer.echo(("\n" if number else "") + "  ".join(headings[i].rjust(widths[i]) for i in chosen))
            for row in cells:
                typer.echo("  ".join(row[i].rjust(widths[i]) for i in chosen))
        return
    console = Console()
    if not console.is_terminal:  # piped or captured: rich would assume 80 columns
        console = Console(width=LOG_WIDTH)
    available = max(console.width, 20)
    for number, group in enumerate(column_groups(widths, available, RICH_GAP)):
        if number:
            console.print()
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        table.add_column(headings[0], overflow="fold", max_width=max(available // 2, 1))
        for index in group:
            table.add_column(headings[index], no_wrap=True, min_width=widths[index], justify="right")
        for row in cells:
            table.add_row(row[0], *(row[index] for index in group))
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
    features: str = typer.Option(None, help="Feature space instead of a judge (RUN mode): dinov2:DIR or clip:DIR "
                                 "(a local Hugging Face folder with its image processor; never downloaded) or "
                                 "FILE.py:function (returns a torch module mapping images (n,C,H,W) in [0,1] to "
                                 "(n,k)). Metrics are then FD_DINOv2, ...; see docs/evaluation.md."),
    judge_weights: Path = typer.Option(None, help="Local Inception-v3 weights (not supported yet; see docs)."),
    k: int = typer.Option(5, help="Nearest neighbours for density and coverage (Naeem et al. 2020: 5)."),
    precision_recall_k: int = typer.Option(3, help="Nearest neighbours for precision, recall and the realism "
                                           "score (Kynkäänniemi et al. 2019: 3)."),
    seed: int = typer.Option(0, help="Seed of the samples, the bootstrap, the KID subsets and the FD-at-n subsamples."),
    bootstrap: int = typer.Option(None, help="Bootstrap resamples for the FD interval; 0 = none "
                                             "(default 100 for --real/--fake, 25 for runs)."),
    confidence: float = typer.Option(0.95, help="Level of the FD interval."),
    kid_subsets: int = typer.Option(100, help="KID subsets (torch-fidelity: 100)."),
    kid_subset_size: int = typer.Option(1000, help="Rows per KID subset (torch-fidelity: 1000); at most half "
                                        "the smaller set, so that subsets differ and KID std means something."),
    fd_points: int = typer.Option(15, help="Sample sizes for FD at several n and FD∞; 0 = none."),
    device: str = typer.Option("cpu", help="Device for decoding and the judge (RUN mode)."),
    threads: int = typer.Option(None, help="torch CPU threads (RUN mode); 1 is often fastest on shared cores."),
    judge_robustness: bool = typer.Option(
        False, "--judge-robustness", help="RUN mode: also rank the samplers by FD under the judge trained with "
        "seed 1 and under the random-encoder judge, with Kendall τ against the main ranking. Costs one more "
        "judge training per cache (stored, then reused) and two more judge passes over every image set."),
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
    if judge_robustness and not runs:
        raise ZspaceError("--judge-robustness re-ranks the samplers of run folders under other judges; give RUN "
                          "folders (--real/--fake arrays are features already)")
    if features is not None and not runs:
        raise ZspaceError(f"--features {features}: a feature space embeds the images of run folders; give RUN "
                          "folders (--real/--fake arrays are features already)")
    if runs:
        # the library loads when the command runs, so zspace --help stays fast
        from zspace.devices import resolve_device

        resolve_device(device)
    if threads is not None:
        if threads < 1:
            raise ZspaceError(f"--threads {threads}: use 1 or more")
        # the library loads when the command runs, so zspace --help stays fast
        import torch

        torch.set_num_threads(threads)
    if runs:
        _evaluate_runs(runs, out, samplers, n, judge, k, seed, 25 if bootstrap is None else bootstrap, confidence,
                       kid_subsets, kid_subset_size, fd_points, device, force, features,
                       precision_recall_k=precision_recall_k, judge_robustness=judge_robustness)
        return
    if real is None or fake is None:
        raise ZspaceError("give run folders (zspace evaluate RUN ... --out DIR), or both --real A.npy and "
                          "--fake B.npy (two N x d feature arrays)")
    _evaluate_arrays(real, fake, out, k, seed, 100 if bootstrap is None else bootstrap, confidence, kid_subsets,
                     kid_subset_size, fd_points, force, precision_recall_k)


def _evaluate_runs(runs: list[Path], out: Path, samplers: str, n: int, judge: str, k: int, seed: int,
                   bootstrap: int, confidence: float, kid_subsets: int, kid_subset_size: int, fd_points: int,
                   device: str, force: bool, features: str | None = None, precision_recall_k: int = 3,
                   judge_robustness: bool = False) -> None:
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.cli.progress import progress_bar
    from zspace.evaluation.judges import CHOICES
    from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs, write_run_evaluation
    from zspace.evaluation.table import EVALUATION_FILE, NOTE, group_cells, space_note
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
                                   fd_points=fd_points, confidence=confidence, device=device, features=features,
                                   precision_recall_k=precision_recall_k, judge_robustness=judge_robustness)
    evaluation = evaluate_runs([str(r) for r in runs], options, progress=progress_bar)
    write_run_evaluation(out, evaluation, options, force=force)
    if space_note(evaluation.rows):
        typer.echo(space_note(evaluation.rows))
    print_table(evaluation.rows)
    if evaluation.groups:
        typer.echo("Across training seeds (runs that differ only in their seed):")
        print_cells(*group_cells(evaluation.groups))
    for line in evaluation.findings:
        typer.echo(f"- {line}")
    for line in evaluation.notes:
        typer.echo(f"note: {line}")
    for record in evaluation.judges:
        if "feature_space" in record:
            state = "reused from" if record["reused"] else "computed, cached in"
            typer.echo(f"feature space {record['feature_space']} ({record['spec']}, {record['checksum'][:19]}…, "
                       f"{record['feature_dim']}-d) for {record['cache']}: features of its images {state} "
                       "RUN/features/")
            continue
        state = "reused" if record["reused"] else f"trained in {record.get('seconds', 0):.0f} s"
        typer.echo(f"judge {record['judge']} of {record['cache']}: {state}; {record.get('heldout_summary')}")
    typer.echo(NOTE)
    typer.echo(f"{out / EVALUATION_FILE}: {len(evaluation.rows)} rows; ranking in {out / 'ranking.png'}; "
               f"per-sample realism and z in {out / 'per_sample'}")


def _evaluate_arrays(real: Path, fake: Path, out: Path, k: int, seed: int, bootstrap: int, confidence: float,
                     kid_subsets: int, kid_subset_size: int, fd_points: int, force: bool,
                     precision_recall_k: int = 3) -> None:
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.evaluation.features import EvaluationOptions, measure_features
    from zspace.evaluation.table import EVALUATION_FILE, NOTE, write_evaluation
    from zspace.io import load_npy

    options = EvaluationOptions(k=k, seed=seed, bootstrap=bootstrap, confidence=confidence, kid_subsets=kid_subsets,
                                kid_subset_size=kid_subset_size, fd_points=fd_points,
                                precision_recall_k=precision_recall_k)
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


