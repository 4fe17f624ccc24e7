"""zspace report on the demo's two runs: seconds and size, against a baseline that only base64-embeds the PNG files.

    python benchmarks/report_speed.py [--demo zspace-demo]     # default: make a --quick demo in a temp folder

The issue's goal: the report of the demo runs in under 20 s on 2 cores (it reads saved files, never recomputes)
and stays under 15 MB. The baseline is the least any embedding report must do: read every PNG the report shows
and base64 it into one string.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.io import save_json  # noqa: E402


def baseline(runs: list[Path]) -> tuple[float, int]:
    """Seconds to read and base64 every PNG under the runs' analysis figures, samples and training figures."""
    started = time.perf_counter()
    size = 0
    for run in runs:
        for path in sorted(run.rglob("*.png")):
            size += len(base64.b64encode(path.read_bytes()))
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=None, help="a zspace demo folder (vae/ and ae/ inside)")
    args = parser.parse_args()
    from zspace.report.build import build_report

    with tempfile.TemporaryDirectory() as tmp:
        demo = args.demo
        if demo is None:
            from zspace.demo import QUICK, run_demo

            demo = Path(tmp) / "demo"
            run_demo(demo, QUICK)
        runs = [demo / "vae", demo / "ae"]
        base_seconds, base_bytes = baseline(runs)
        started = time.perf_counter()
        result = build_report(runs[0], compare=runs[1], out=Path(tmp) / "report.html")
        seconds = time.perf_counter() - started
        out = {
            "machine": machine_info(), "load_average": os.getloadavg(), "demo": str(demo),
            "demo_settings": "quick" if args.demo is None else "given",
            "report_seconds": seconds, "report_bytes": result.size_bytes, "pictures_downscaled": result.downscaled,
            "baseline_seconds": base_seconds, "baseline_bytes": base_bytes,
            "ratios": {"seconds_over_baseline": seconds / base_seconds, "bytes_over_baseline": result.size_bytes
                       / base_bytes},
            "goals": {"seconds_below": 20, "megabytes_below": 15},
        }
    save_json(Path(__file__).parent / "results" / "report_speed.json", out)
    print(f"report: {seconds:.1f} s, {result.size_bytes / 2**20:.1f} MB; baseline (base64 of the PNGs): "
          f"{base_seconds:.2f} s, {base_bytes / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
