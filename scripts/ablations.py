"""Ablations that test the causal story of docs/findings.md (issue 21 section 6), with 3 training seeds each.

Slow: meant for nohup, never for tests. On the demo tour's data (8,000 synthetic faces of 32 px, latent 32,
the small preset, 6 epochs) it trains 3 AE seeds and 3 VAE seeds at each KL weight (0.5, 1, 2, 5 by default;
the demo uses 5), each ``nice -n 10`` with one torch thread, two at a time, with ordinary ``zspace`` commands:

* ``train`` + ``encode`` per run (resumable: a run with latents is skipped, one with a checkpoint resumes);
* ``evaluate RUN1 RUN2 RUN3`` per configuration with the samplers ``normal`` (N(0, I)), ``fullcov`` (N(mu,
  Sigma), fitted) and ``fullcov-floor`` (N(mu, Sigma) with variance max(lambda_i, 1) along each principal
  axis), which gives ``groups``: the mean over seeds with a t interval (skipped when evaluation.json exists);
* latent checks per run (zspace.evaluation.ablation_latents): active units (Burda et al. 2016), the
  Mahalanobis distance of N(0, I) points to the latents on all units and on the active units only;

then writes ROOT/ablations.json and docs/ablations.md (every number with its interval and its seeds).

Usage: python scripts/ablations.py --root /tmp/ablations [--stage train|evaluate|report|all]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from zspace.evaluation.ablation_latents import latent_ablation
from zspace.evaluation.ablation_report import ablation_markdown, build_ablations
from zspace.evaluation.ablation_summary import sampler_summaries
from zspace.generate.from_run import default_out, generate_samples
from zspace.io import load_json, load_npy, save_json, write_text
from zspace.report.figures import image_panels_figure, save_figure

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images" / "ablations"  # the figures docs/ablations.md shows
ZSPACE = ["nice", "-n", "10", sys.executable, "-m", "zspace"]
REPO = Path(__file__).resolve().parents[1]
SAMPLERS = "normal;fullcov;fullcov-floor"
_LOG_LOCK = threading.Lock()


def _run(args: list[str], log: Path) -> None:
    with _LOG_LOCK, log.open("a") as handle:
        handle.write(f"\n$ {' '.join(args)}\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with log.open("a") as handle:
        subprocess.run(args, stdout=handle, stderr=subprocess.STDOUT, env=env, check=True)


def configurations(kl_weights: list[float]) -> dict[str, dict]:
    """Configuration name -> its model kind and KL weight (the AE ignores the weight; it keeps the default)."""
    found = {"ae": {"model": "ae", "kl_weight": 5.0}}
    for weight in kl_weights:
        found[f"vae-kl{weight:g}"] = {"model": "vae", "kl_weight": weight}
    return found


def run_folder(root: Path, config: str, seed: int) -> Path:
    return root / "runs" / f"{config}-s{seed}"


def prepare(root: Path, args: argparse.Namespace) -> Path:
    data = root / "data"
    if not (data / "dataset.json").exists():
        _run([*ZSPACE, "prepare", "synthetic-faces", "--out", str(data), "--count", str(args.count),
              "--size", str(args.size), "--seed", "0", "--force"], root / "prepare.log")
    return data


def _trained(run: Path, epochs: int) -> bool:
    """True when the run's weights exist and its history.csv holds all ``epochs`` epochs."""
    history = run / "history.csv"
    if not (run / "model.safetensors").exists() or not history.exists():
        return False
    return len(history.read_text().strip().splitlines()) - 1 >= epochs


def train_one(root: Path, data: Path, config: str, spec: dict, seed: int, args: argparse.Namespace) -> str:
    run = run_folder(root, config, seed)
    if (run / "latents.npy").exists():
        return f"{run.name}: done before"
    log = root / "logs" / f"{run.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if not _trained(run, args.epochs):
        restart = ["--resume"] if (run / "checkpoint.safetensors").exists() else ["--force"]
        _run([*ZSPACE, "train", str(data), "--out", str(run), "--model", spec["model"], "--arch", "small",
              "--latent-dim", str(args.latent_dim), "--epochs", str(args.epochs), "--batch-size", "64",
              "--kl-weight", str(spec["kl_weight"]), "--seed", str(seed), *restart], log)
    _run([*ZSPACE, "encode", str(run), "--force"], log)
    return f"{run.name}: trained and encoded"


def train_all(root: Path, args: argparse.Namespace) -> None:
    data = prepare(root, args)
    # Configuration by configuration, the AE and the demo's VAE (KL weight 5) first: ablations 1-3 need them,
    # and each configuration's evaluation can start while the next trains.
    configs = configurations(args.kl_weights)
    order = sorted(configs, key=lambda name: (name not in ("ae", "vae-kl5"), name != "ae"))
    jobs = [(config, configs[config], seed) for config in order for seed in args.seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(train_one, root, data, config, spec, seed, args) for config, spec, seed in jobs]
        for future in futures:
            print(future.result(), flush=True)


def evaluate_all(root: Path, args: argparse.Namespace) -> None:
    """``zspace evaluate`` of each configuration's seeds together (its groups); with ``--wait``, each as soon as
    its runs are encoded (while the training stage runs in another process)."""
    waiting = list(configurations(args.kl_weights))
    while waiting:
        for config in list(waiting):
            out = root / "evaluation" / config
            runs = [run_folder(root, config, seed) for seed in args.seeds]
            if (out / "evaluation.json").exists():
                print(f"{config}: evaluated before", flush=True)
            elif all((run / "latents.npy").exists() for run in runs):
                _run([*ZSPACE, "evaluate", *map(str, runs), "--out", str(out), "--samplers", SAMPLERS,
                      "--n", str(args.n), "--seed", "0", "--threads", "1", "--fd-points", "0", "--force"],
                     root / "logs" / f"evaluate-{config}.log")
                print(f"{config}: evaluated", flush=True)
            elif args.wait:
                continue
            else:
                print(f"{config}: not all runs are encoded yet; run the train stage first", flush=True)
            waiting.remove(config)
        if waiting:
            time.sleep(30)  # polls the training stage's progress (another process)


def latent_checks(root: Path, config: str, seeds: list[int]) -> list[dict]:
    """latent_ablation per seed of one configuration, cached in ROOT/latent/RUN.json."""
    found = []
    for seed in seeds:
        run = run_folder(root, config, seed)
        cached = root / "latent" / f"{run.name}.json"
        if not cached.exists():
            latents = load_npy(run / "latents.npy")
            logvar = load_npy(run / "logvar.npy") if (run / "logvar.npy").exists() else None
            save_json(cached, latent_ablation(latents, ("normal", "fullcov", "fullcov-floor"), count=2000, seed=0,
                                              logvar=logvar))
        found.append(load_json(cached))
    return found


def report(root: Path, args: argparse.Namespace) -> None:
    configs = configurations(args.kl_weights)
    rows, latents = {}, {}
    for config in configs:
        evaluation = root / "evaluation" / config / "evaluation.json"
        if not evaluation.exists():
            continue
        data = load_json(evaluation)
        rows[config] = data["rows"]
        latents[config] = latent_checks(root, config, args.seeds)
        _check_groups(config, data)
    load = os.getloadavg()
    setup = {"count": args.count, "size": args.size, "latent_dim": args.latent_dim, "epochs": args.epochs,
             "seeds": args.seeds, "kl_weights": args.kl_weights, "n": args.n, "samplers": SAMPLERS.split(";"),
             "load_average_at_report": [round(x, 1) for x in load],
             "description": (
                 f"the demo tour's data ({args.count:,} synthetic faces of {args.size} px, seed 0; 10% held out), "
                 f"the small preset with latent {args.latent_dim}, {args.epochs} epochs, batch 64; AE and VAE at KL "
                 f"weights {', '.join(f'{w:g}' for w in args.kl_weights)} (the demo's is 5), training seeds "
                 f"{', '.join(map(str, args.seeds))}; `zspace evaluate` per configuration with n = {args.n} "
                 "samples per sampler and the factor judge (3 epochs, trained once on the cache); latent checks "
                 "on every row of latents.npy with 2,000 points per sampler. Trained and evaluated on 2 CPU cores "
                 f"shared with other jobs; load average {load[0]:.0f} when this page was written, which says nothing "
                 "of the load while the runs trained (wall times, not numbers, depend on it)")}
    result = build_ablations(configs, rows, latents, setup)
    save_json(root / "ablations.json", result)
    IMAGES.mkdir(parents=True, exist_ok=True)
    sweep_figure(result, IMAGES / "kl_sweep.png")
    samples_figure(root, IMAGES / "samples.png")
    write_text(args.doc, ablation_markdown(result))
    print(f"{root / 'ablations.json'} and {args.doc}; missing: {', '.join(result['missing']) or 'none'}", flush=True)


def sweep_figure(result: dict, path: Path) -> None:
    """KL weight against N(0, I)'s FD, active units and Mahalanobis ratio on the active units, with t intervals."""
    if not result["ablations"]["kl_sweep"]["table"]:
        return
    fig = Figure(figsize=(19, 3.6))
    axes = fig.subplots(1, 5)
    panels = (("fd", "FD of N(0, I) samples (judge)"), ("recall", "recall of N(0, I) samples (k=3)"),
              ("active_count", "active units (of 32)"), ("ratio_active", "N(0, I): Mahalanobis ratio,\nactive units"),
              ("ratio_posterior", "N(0, I): Mahalanobis ratio,\naggregate posterior"))
    for axis, (key, title) in zip(axes, panels, strict=True):
        table = [row for row in result["ablations"]["kl_sweep"]["table"] if (row.get(key) or {}).get("mean")]
        weights = [row["kl_weight"] for row in table]
        means = [row[key]["mean"] for row in table]
        low = [m - (row[key]["interval"] or [m, m])[0] for m, row in zip(means, table, strict=True)]
        high = [(row[key]["interval"] or [m, m])[1] - m for m, row in zip(means, table, strict=True)]
        axis.errorbar(weights, means, yerr=[low, high], fmt="o-", capsize=4)
        for weight, row in zip(weights, table, strict=True):
            axis.scatter([weight] * len(row[key]["values"]), row[key]["values"], s=10, color="0.5", zorder=3)
        axis.set_xscale("log")
        axis.minorticks_off()
        axis.set_xticks(weights, [f"{w:g}" for w in weights])
        axis.set_xlabel("KL weight")
        axis.set_title(title, fontsize=10)
    fig.suptitle("VAE KL-weight sweep: mean over seeds with 95% t interval (grey: each seed)", fontsize=11)
    fig.tight_layout()
    save_figure(fig, path)


def samples_figure(root: Path, path: Path, count: int = 21) -> None:
    """Decodes of each ablation's samplers for the seed-0 networks, side by side (what the numbers describe)."""
    panels = []
    for config, spec in (("ae", "normal"), ("ae", "fullcov"), ("ae", "fullcov-floor"), ("vae-kl5", "normal"),
                         ("vae-kl5", "fullcov-floor"), ("vae-kl0.5", "normal")):
        run = run_folder(root, config, 0)
        if not (run / "latents.npy").exists():
            continue
        done = generate_samples(run, spec, default_out(run, "sample", spec), count, 0, force=True)
        with Image.open(done.files["grid"]) as picture:
            panels.append((f"{config}, seed 0: {spec}", np.asarray(picture.convert("RGB"))))
    if panels:
        save_figure(image_panels_figure(panels, columns=3), path)


def _check_groups(config: str, data: dict) -> None:
    """The evaluation's own groups and this page's numbers use one t interval: say so if they ever differ."""
    mine = sampler_summaries(data["rows"])
    for group in data.get("groups", []):
        ours = mine.get(group["sampler"], {}).get("fd", {})
        if group.get("fd_mean") is not None and abs(group["fd_mean"] - (ours.get("mean") or 0)) > 1e-9:
            raise SystemExit(f"{config}: group FD {group['fd_mean']} differs from {ours.get('mean')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/ablations"))
    parser.add_argument("--stage", choices=("train", "evaluate", "report", "all"), default="all")
    parser.add_argument("--count", type=int, default=8000)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[0, 1, 2])
    parser.add_argument("--kl-weights", type=lambda s: [float(x) for x in s.split(",")], default=[0.5, 1, 2, 5])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--n", type=int, default=2000, help="samples per sampler in the evaluation")
    parser.add_argument("--wait", action="store_true", help="evaluate stage: wait for runs still training")
    parser.add_argument("--doc", type=Path, default=REPO / "docs" / "ablations.md")
    args = parser.parse_args()
    root = args.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    if args.stage in ("train", "all"):
        train_all(root, args)
    if args.stage in ("evaluate", "all"):
        evaluate_all(root, args)
    if args.stage in ("report", "all"):
        report(root, args)


if __name__ == "__main__":
    main()
