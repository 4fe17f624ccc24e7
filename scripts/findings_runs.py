"""Make the runs docs/findings.md measures (slow: meant for nohup, not for tests).

Three jobs, each a chain of ordinary ``zspace`` commands, started side by side
with one torch thread each (the machine has 2 shared cores):

* ``seed256``: synthetic faces (64 px) -> the seed's "filaments" AE (seed-5x5
  preset, latent 256), trained one epoch at a time with ``--resume`` until
  ``--budget-minutes`` of wall time are spent, so the run always ends on a
  finished epoch;
* ``demo``: ``zspace demo`` (the demo VAE and AE);
* ``fm``: Fashion-MNIST, a small AE and a small VAE (latent 32, a few epochs).

Usage: python scripts/findings_runs.py --root /work/findings_runs [--budget-minutes 25]
Then: python scripts/findings.py --root /work/findings_runs
"""

from __future__ import annotations

import argparse
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


def demo(root: Path) -> None:
    _run([*ZSPACE, "demo", "--out", str(root / "demo"), "--force"], root / "demo.log")


def fashion(root: Path, epochs: int) -> None:
    log, data = root / "fm.log", root / "fm"
    if not (data / "dataset.json").exists():
        _run([*ZSPACE, "prepare", "fashion-mnist", "--out", str(data), "--count", "20000", "--force"], log)
    for model in ("ae", "vae"):
        run = root / f"fm_{model}"
        _run([*ZSPACE, "train", str(data), "--out", str(run), "--model", model, "--arch", "small",
              "--latent-dim", "32", "--epochs", str(epochs), "--force"], log)
        _run([*ZSPACE, "encode", str(run), "--force"], log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--budget-minutes", type=float, default=25.0)
    parser.add_argument("--faces", type=int, default=8000)
    parser.add_argument("--fm-epochs", type=int, default=3)
    parser.add_argument("--only", default="seed256,demo,fm")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    jobs = {"seed256": lambda: seed256(args.root, args.budget_minutes * 60, args.faces),
            "demo": lambda: demo(args.root),
            "fm": lambda: fashion(args.root, args.fm_epochs)}
    threads = [threading.Thread(target=jobs[name], name=name) for name in args.only.split(",")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
