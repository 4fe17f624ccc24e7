"""Regenerate docs/results.md: AE and VAE on synthetic faces and Fashion-MNIST, four samplers and the floor.

    .venv/bin/python scripts/results_table.py [--work /tmp/zspace-results] [--n 2000]

Prepares two caches, trains a small AE and VAE on each (20 epochs on one thread, about a minute each),
encodes them, runs the run-level evaluation of every (run, sampler) pair and
writes docs/results.md from the evaluation.json files, with Ghosh et al. 2020's
CelebA ordering checked claim by claim. Everything is seeded; the step times
and the machine's load average go into the page.
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


def build(work: Path, dataset: str, seconds: dict[str, float]) -> list[Path]:
    factory, latent_dim, epochs, val_fraction = DATASETS[dataset]
    slug = dataset.lower().replace(" ", "-")
    cache = work / slug
    if not cache.exists():
        prepare_cache(factory(), cache, val_fraction=val_fraction)
    runs = []
    for model in ("ae", "vae"):
        run = work / f"{slug}-{model}"
        if not (run / "latents.npy").exists():
            started = time.monotonic()
            source = load_json(cache / "dataset.json")
            config = model_config("small", model=model, image_size=source["size"], channels=source["channels"],
                                  latent_dim=latent_dim, filters=FILTERS)
            train(config, TrainConfig(data=str(cache), epochs=epochs, batch_size=64, seed=0), run, force=True)
            seconds[f"{dataset}: train {model.upper()} ({epochs} epochs)"] = round(time.monotonic() - started, 1)
            encode(run, force=True)
        runs.append(run)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-results"))
    parser.add_argument("--n", type=int, default=2000, help="samples per sampler")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "results.md")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads; 1 is fastest on shared cores (OpenMP threads wait on each other)")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the saved evaluations")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    evaluations = {}
    for dataset in DATASETS if not args.page_only else ():
        if dataset == "Fashion-MNIST" and not DEFAULT_PATH.is_dir():
            print(f"skipping Fashion-MNIST: {DEFAULT_PATH} not found (apt-get install dataset-fashion-mnist)")
            continue
        runs = build(args.work, dataset, seconds)
        options = RunEvaluationOptions(samplers=SAMPLERS, num_samples=args.n, seed=0)
        started = time.monotonic()
        evaluation = evaluate_runs(runs, options)
        seconds[f"{dataset}: evaluate (2 runs x 4 samplers x {args.n}, judge included)"] = round(
            time.monotonic() - started, 1)
        out = args.work / f"evaluation-{dataset.lower().replace(' ', '-')}"
        write_run_evaluation(out, evaluation, options, force=True)
        evaluations[dataset] = load_json(out / "evaluation.json")
    if args.page_only:
        seconds = load_json(args.work / "seconds.json")
        evaluations = {d: load_json(args.work / f"evaluation-{d.lower().replace(' ', '-')}" / "evaluation.json")
                       for d in DATASETS if (args.work / f"evaluation-{d.lower().replace(' ', '-')}").is_dir()}
    else:
        save_json(args.work / "seconds.json", seconds)
    from results_page import results_page  # scripts/results_page.py: the page from the saved rows

    write_text(args.page, results_page(evaluations, seconds, args.n, os.getloadavg()))
    print(f"{args.page}: written")


if __name__ == "__main__":
    main()
