"""`make demo` on a fresh clone, as a new user runs it: the install, the tour, and `zspace demo --full`.

A fresh ``git clone`` of this repository's HEAD (commit first: uncommitted changes are not in
it) into a temporary folder, then, timed one after the other (wall clock and CPU seconds of
all child processes):

1. ``make install``: the venv, PyTorch (CPU build) and zspace with its extras; pip's cache is
   off unless ``--pip-cache`` (a new user has none);
2. ``make demo``: the default tour (the install is done, so this is the tour alone); install +
   tour is what ``make demo`` costs on a fresh clone (issue 23's goal: at most 6 minutes on a
   quiet 2-core machine);
3. ``zspace demo --full`` (skipped with ``--skip-full``), the larger tour.

Each tour's own step timings (its demo.json) are kept beside the totals. ``--torch-threads 1``
runs the tours with one torch thread (OMP_NUM_THREADS=1): on a 2-core machine where other
programs run, two torch threads wait on each other and training slows many times over.
Result: benchmarks/results/demo_time.json with the machine and the load average.

    python benchmarks/demo_time.py [--skip-full] [--pip-cache] [--torch-threads N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULT = Path(__file__).parent / "results" / "demo_time.json"
GOAL_SECONDS = 360  # make demo on a fresh clone, install included (issue 23)


def children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def timed(argv: list[str], cwd: Path, log: Path, env: dict[str, str]) -> dict:
    """Run ``argv`` in ``cwd`` (output into ``log``); its wall-clock and CPU seconds, or why it failed."""
    cpu, started = children_cpu(), time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - started
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        raise SystemExit(f"{' '.join(argv)} exited {code} after {seconds:.0f} s; its last lines:\n" + "\n".join(tail))
    return {"command": " ".join(argv), "seconds": round(seconds, 1), "cpu_seconds": round(children_cpu() - cpu, 1)}


def tour_steps(folder: Path) -> dict:
    """The tour's own record (demo.json): total and per-step seconds, and the settings it ran with."""
    record = json.loads((folder / "demo.json").read_text(encoding="utf-8"))
    return {"settings": record.get("settings"), "timing": record.get("timing")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true", help="time only the install and the default tour")
    parser.add_argument("--pip-cache", action="store_true", help="let pip use its cache (a returning user)")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="OMP_NUM_THREADS for the tours (default: torch's own choice, one per core)")
    parser.add_argument("--keep", type=Path, default=None, help="clone into this new folder and keep it")
    args = parser.parse_args()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True).stdout.strip()
    if dirty:
        print("note: the working tree has uncommitted changes; the fresh clone times HEAD without them")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    env = {**os.environ, **({} if args.pip_cache else {"PIP_NO_CACHE_DIR": "1"})}
    env.pop("VIRTUAL_ENV", None)
    tour_env = {**env, **({"OMP_NUM_THREADS": str(args.torch_threads)} if args.torch_threads else {})}
    with tempfile.TemporaryDirectory() as tmp:
        clone = args.keep or Path(tmp) / "zspace"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        load_before = os.getloadavg()
        install = timed(["make", "install"], clone, clone / "install.log", env)
        print(f"make install: {install['seconds']:.0f} s ({install['cpu_seconds']:.0f} CPU s)")
        tour = timed(["make", "demo"], clone, clone / "demo.log", tour_env)
        tour.update(tour_steps(clone / "zspace-demo"))
        print(f"make demo after the install: {tour['seconds']:.0f} s ({tour['cpu_seconds']:.0f} CPU s); "
              f"with the install {install['seconds'] + tour['seconds']:.0f} s (goal {GOAL_SECONDS} s)")
        full = None
        if not args.skip_full:
            full = timed([str(clone / ".venv" / "bin" / "zspace"), "demo", "--full", "--out", "zspace-demo-full"],
                         clone, clone / "demo_full.log", tour_env)
            full.update(tour_steps(clone / "zspace-demo-full"))
            print(f"zspace demo --full: {full['seconds']:.0f} s ({full['cpu_seconds']:.0f} CPU s)")
        result = {
            "benchmark": "demo_time", "date": date.today().isoformat(), "commit": commit,
            "machine": machine_info(), "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "pip_cache": args.pip_cache, "torch_threads_of_the_tours": args.torch_threads,
            "install": install, "demo": tour, "demo_full": full,
            "make_demo_with_install_seconds": round(install["seconds"] + tour["seconds"], 1),
            "goals": {"make_demo_with_install_seconds_at_most": GOAL_SECONDS},
        }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written: {RESULT}")


if __name__ == "__main__":
    main()
