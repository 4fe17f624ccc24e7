"""Make the runs docs/findings.md measures (slow: meant for nohup, not for tests).

Three jobs, each a chain of ordinary ``zspace`` commands with one torch thread,
run one after another (``--parallel 3`` starts them side by side; the machine
has 2 shared cores, so the default keeps to one training at a time):

* ``seed256``: synthetic faces (64 px) -> the seed's "filaments" AE (seed-5x5
  preset, latent 256), trained one epoch at a time with ``--resume`` until
  ``--budget-minutes`` of wall time are spent, so the run always ends on a
  finished epoch;
* ``demo``: ``zspace demo`` (the demo VAE and AE: the default tour, 8,000 faces of
  32 px, latent 32, 6 epochs; ``--full-demo`` for 12,000 faces of 64 px);
* ``fm``: Fashion-MNIST (the first ``--fm-count`` images), a small AE and a small VAE (latent 32, a few
  epochs).

Each job's wall time goes to ROOT/seconds.json (the pages print it).

Usage: python scripts/findings_runs.py --root /tmp/findings_runs [--budget-minutes 15] [--only demo,fm,seed256]
Then: python scripts/findings.py --root /tmp/findings_runs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ZSPACE = [sys.executable, "-m", "zspace"]


def _run(args: list[str], log: Path) -> None:
    with log.open("a") as handle:
        handle.write(f"\n$ {' '.join(args)}\n")
        handle.flush()
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        subprocess.run(args, stdout=handle, stderr=subprocess.STDOUT, env=env, check=True)


def seed256(root: Path, budget_s: float, count: int) -> None:
    log = root / "seed256.log"
    data, run = root / "faces64", root / "seed256_ae"
    if not (data / "dataset.json").exists():
        _run([*ZSPACE, "prepare", "synthetic-faces", "--out", str(data), "--count", str(count),
              "--size", "64", "--seed", "1", "--force"], log)
    start, epoch = time.monotonic(), 0
    while True:
        epoch += 1
        resume = ["--resume"] if epoch > 1 else ["--force"]
        _run([*ZSPACE, "train", str(data), "--out", str(run), "--model", "ae", "--arch", "seed-5x5",
              "--latent-dim", "256", "--epochs", str(epoch), *resume], log)
        spent = time.monotonic() - start
        with log.open("a") as handle:
            handle.write(f"# epoch {epoch} done after {spent:.0f} s\n")
        if spent / epoch * (epoch + 1) > budget_s:
            break
    _run([*ZSPACE, "encode", str(run), "--force"], log)


def demo(root: Path, full: bool) -> None:
    _run([*ZSPACE, "demo", "--out", str(root / "demo"), "--force", *(["--full"] if full else [])], root / "demo.log")


def fashion(root: Path, epochs: int, count: int) -> None:
    log, data = root / "fm.log", root / "fm"
    if not (data / "dataset.json").exists():
        _run([*ZSPACE, "prepare", "fashion-mnist", "--out", str(data), "--count", str(count), "--force"], log)
    for model in ("ae", "vae"):
        run = root / f"fm_{model}"
        _run([*ZSPACE, "train", str(data), "--out", str(run), "--model", model, "--arch", "small",
              "--latent-dim", "32", "--epochs", str(epochs), "--force"], log)
        _run([*ZSPACE, "encode", str(run), "--force"], log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--budget-minutes", type=float, default=15.0, help="seed256's training wall time")
    parser.add_argument("--faces", type=int, default=8000)
    parser.add_argument("--fm-epochs", type=int, default=3)
    parser.add_argument("--fm-count", type=int, default=20000, help="Fashion-MNIST images (the first ones)")
    parser.add_argument("--full-demo", action="store_true")
    parser.add_argument("--only", default="demo,fm,seed256")
    parser.add_argument("--parallel", type=int, default=1, help="jobs at a time (1: one training at a time)")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    jobs = {"seed256": lambda: seed256(args.root, args.budget_minutes * 60, args.faces),
            "demo": lambda: demo(args.root, args.full_demo),
            "fm": lambda: fashion(args.root, args.fm_epochs, args.fm_count)}
    timings = args.root / "seconds.json"
    lock = threading.Lock()

    def timed(name: str) -> None:
        began = time.monotonic()
        jobs[name]()
        with lock:
            seconds = json.loads(timings.read_text()) if timings.is_file() else {}
            seconds[name] = {"seconds": round(time.monotonic() - began, 1), "load": list(os.getloadavg())}
            timings.write_text(json.dumps(seconds, indent=1))

    names = args.only.split(",")
    for start in range(0, len(names), args.parallel):
        batch = names[start:start + args.parallel]
        threads = [threading.Thread(target=timed, args=(name,), name=name) for name in batch]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


if __name__ == "__main__":
    main()
