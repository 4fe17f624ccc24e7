"""Regenerate docs/results.md: AE and VAE on synthetic faces and Fashion-MNIST, four samplers and the floor.

    .venv/bin/python scripts/results_table.py [--work /tmp/zspace-results] [--n 2000] [--seeds 0,1,2]

Prepares two caches, trains a small AE and VAE on each with every training seed
of ``--seeds`` (20 epochs on one thread, about a minute each), encodes them, runs
the run-level evaluation of every (run, sampler) pair per dataset (the runs that
differ only in their seed form replicate groups: mean, sd and t interval over
seeds; the ranking is also checked under a second judge seed and the random
judge) and writes docs/results.md from the evaluation.json files, with Ghosh et
al. 2020's CelebA ordering checked claim by claim from the intervals across
seeds. Everything is seeded; the step times and the machine's load average go
into the page.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from zspace.config import TrainConfig
from zspace.data.cache import prepare_cache
from zspace.data.fashion_mnist import DEFAULT_PATH, fashion_mnist_source
from zspace.data.sources import first_rows
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.encoding import encode
from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs, write_run_evaluation
from zspace.io import load_json, save_json, write_text
from zspace.models.architectures import model_config
from zspace.training.train import train

ROOT = Path(__file__).resolve().parents[1]
FILTERS = (16, 32, 64, 64)
DATASETS = {
    # name: (source factory, latent_dim, epochs, val_fraction)
    "synthetic faces": (lambda: synthetic_faces_source(count=8000, size=32, seed=0), 32, 20, 0.2),
    "Fashion-MNIST": (lambda: first_rows(fashion_mnist_source(DEFAULT_PATH), 12000), 16, 20, 0.15),
}
SAMPLERS = ("normal", "diag", "fullcov", "gmm:k=10")


def build(work: Path, dataset: str, seeds: list[int], seconds: dict[str, float],
          models: tuple[str, ...] = ("ae", "vae")) -> list[Path]:
    factory, latent_dim, epochs, val_fraction = DATASETS[dataset]
    slug = dataset.lower().replace(" ", "-")
    cache = work / slug
    if not (cache / "dataset.json").exists():
        prepare_cache(factory(), cache, val_fraction=val_fraction, force=True)  # a cache left half-written
    runs = []
    for model in models:
        for seed in seeds:
            run = work / f"{slug}-{model}-seed{seed}"
            if not (run / "latents.npy").exists():
                started = time.monotonic()
                source = load_json(cache / "dataset.json")
                config = model_config("small", model=model, image_size=source["size"], channels=source["channels"],
                                      latent_dim=latent_dim, filters=FILTERS)
                train(config, TrainConfig(data=str(cache), epochs=epochs, batch_size=64, seed=seed), run, force=True)
                seconds[f"{dataset}: train {model.upper()} seed {seed} ({epochs} epochs)"] = round(
                    time.monotonic() - started, 1)
                encode(run, force=True)
            runs.append(run)
    return runs


def history_seconds(work: Path, seconds: dict[str, float]) -> dict[str, float]:
    """Training time of every run under ``work`` that ``seconds`` lacks (a run trained by an earlier or a parallel
    process), from the epochs' seconds in its history.csv."""
    out = dict(seconds)
    for dataset, (_, _, epochs, _) in DATASETS.items():
        slug = dataset.lower().replace(" ", "-")
        for history in sorted(work.glob(f"{slug}-*-seed*/history.csv")):
            model, seed = history.parent.name[len(slug) + 1:].split("-seed")
            key = f"{dataset}: train {model.upper()} seed {seed} ({epochs} epochs)"
            lines = history.read_text().strip().splitlines()
            column = lines[0].split(",").index("seconds")
            out.setdefault(key, round(sum(float(line.split(",")[column]) for line in lines[1:]), 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-results"))
    parser.add_argument("--n", type=int, default=2000, help="samples per sampler")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "results.md")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; 1 is fastest on shared cores (OpenMP threads wait on each other)")
    parser.add_argument("--seeds", default="0,1,2", help="training seeds per model (3 or more give groups)")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="which of: " + ", ".join(DATASETS))
    parser.add_argument("--models", default="ae,vae", help="with --train-only: which models to train")
    parser.add_argument("--train-only", action="store_true",
                        help="train and encode the runs, nothing else (a second process can share the training)")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the saved evaluations")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    seeds = [int(seed) for seed in args.seeds.split(",")]
    chosen = [dataset for dataset in args.datasets.split(",") if dataset in DATASETS]
    if (args.work / "seconds.json").is_file():
        seconds = load_json(args.work / "seconds.json")
    for dataset in chosen if not args.page_only else ():
        if dataset == "Fashion-MNIST" and not DEFAULT_PATH.is_dir():
            print(f"skipping Fashion-MNIST: {DEFAULT_PATH} not found (apt-get install dataset-fashion-mnist)")
            continue
        runs = build(args.work, dataset, seeds, seconds, tuple(args.models.split(",")))
        if args.train_only:
            save_json(args.work / f"seconds-{args.models}-{args.seeds}.json", seconds)
            continue
        save_json(args.work / "seconds.json", seconds)
        options = RunEvaluationOptions(samplers=SAMPLERS, num_samples=args.n, seed=0, judge_robustness=True)
        started = time.monotonic()
        evaluation = evaluate_runs(runs, options)
        seconds[f"{dataset}: evaluate ({len(runs)} runs x 4 samplers x {args.n}, judges included)"] = round(
            time.monotonic() - started, 1)
        save_json(args.work / "seconds.json", seconds)
        out = args.work / f"evaluation-{dataset.lower().replace(' ', '-')}"
        write_run_evaluation(out, evaluation, options, force=True)
    if args.train_only:
        return
    # every dataset evaluated so far, this call or an earlier one
    evaluations = {d: load_json(args.work / f"evaluation-{d.lower().replace(' ', '-')}" / "evaluation.json")
                   for d in DATASETS if (args.work / f"evaluation-{d.lower().replace(' ', '-')}").is_dir()}
    from results_page import results_page  # scripts/results_page.py: the page from the saved rows

    seconds = history_seconds(args.work, load_json(args.work / "seconds.json") if args.page_only else seconds)
    missing = tuple(dataset for dataset in DATASETS if dataset not in evaluations)
    write_text(args.page, results_page(evaluations, seconds, args.n, os.getloadavg(), missing))
    print(f"{args.page}: written")


if __name__ == "__main__":
    main()
