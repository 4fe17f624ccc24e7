"""Start-up time of the command line: `zspace --help` and `--version` against `python -c "import zspace"`.

Each command runs in a fresh interpreter (what a user waits for), ``--repeats`` times after
one warm-up run that fills the OS file cache; the median and the fastest run are kept.
For comparison, "all command modules" imports every ``zspace.cli.*`` module, which is what
`--help` did before commands were loaded lazily (torch, Lightning, matplotlib, scikit-learn).
Result: benchmarks/results/cli_startup.json.

    python benchmarks/cli_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.cli.main import COMMANDS  # noqa: E402
from zspace.io import save_json  # noqa: E402

RESULT = Path(__file__).parent / "results" / "cli_startup.json"
MODULES = [target.split(":")[0] for target, _ in COMMANDS.values()]
# A module that fails to import (work in progress elsewhere) must not stop the measurement.
EVERY_MODULE = (f"import importlib\nfor m in {MODULES!r}:\n"
                "    try: importlib.import_module(m)\n    except Exception: pass")
CASES = {
    "baseline_import_zspace": [sys.executable, "-c", "import zspace"],
    "zspace_help": [sys.executable, "-m", "zspace", "--help"],
    "zspace_version": [sys.executable, "-m", "zspace", "--version"],
    "zspace_prepare_help": [sys.executable, "-m", "zspace", "prepare", "--help"],
    "all_command_modules": [sys.executable, "-c", EVERY_MODULE],
}


def wall_seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    seconds: dict[str, dict[str, float]] = {}
    for name, argv in CASES.items():
        wall_seconds(argv)  # warm-up
        runs = [wall_seconds(argv) for _ in range(repeats)]
        seconds[name] = {"median": statistics.median(runs), "fastest": min(runs)}
        print(f"{name:24s} median {seconds[name]['median']:.3f} s  fastest {seconds[name]['fastest']:.3f} s")
    baseline = seconds["baseline_import_zspace"]["median"]
    result = {
        "benchmark": "cli_startup",
        "machine": machine_info(),
        "setup": {"repeats": repeats, "interpreter": sys.executable,
                  "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()]},  # other work slows all rows
        "seconds": seconds,
        "ratios_to_baseline": {name: round(s["median"] / baseline, 2) for name, s in seconds.items()},
        "help_under_1s": seconds["zspace_help"]["median"] < 1.0,
    }
    save_json(RESULT, result)
    print(f"Result: {RESULT}")


if __name__ == "__main__":
    main()
