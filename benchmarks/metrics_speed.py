"""Speed and memory of the sample-quality metrics (issue 13) at 10,000 real x 10,000 fake feature vectors.

    python benchmarks/metrics_speed.py [--rows 10000] [--dims 64,512] [--no-prdc-package]

For each feature width d: wall time of FD, its bootstrap interval (100 resamples), FD at 15 sizes (FD∞),
KID (100 subsets of 1,000), precision/recall/density/coverage with realism, and the whole
evaluate_features row; peak extra memory (tracemalloc traces numpy's allocations) of our blocked
precision/recall against the authors' prdc package (three N x M distance matrices), and whether the two agree
exactly. The goal: no 10k x 10k float64 matrix (800 MB) in memory at once.

Result: benchmarks/results/metrics_speed.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.evaluation import evaluate_features  # noqa: E402
from zspace.evaluation.metrics import (  # noqa: E402
    fd_bootstrap,
    fd_sample_size_bias,
    frechet_distance,
    kernel_inception_distance,
    precision_recall_density_coverage,
)
from zspace.io import save_json  # noqa: E402

RESULT = Path(__file__).parent / "results" / "metrics_speed.json"
MB = 2**20


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def peak_extra_bytes(function) -> tuple[int, object]:
    """Peak bytes allocated while ``function`` runs (numpy allocations are traced by tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    value = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return int(peak), value


def features(rows: int, dim: int, seed: int, scale: float) -> np.ndarray:
    """float32 features with correlated components, like a network's (a random mixing of normals)."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    return (rng.normal(size=(rows, dim)) @ mixing * scale).astype(np.float32)


def measure(rows: int, dim: int, compare_package: bool) -> dict:
    real = features(rows, dim, 0, 1.0)
    fake = features(rows, dim, 1, 1.1) + np.float32(0.05)  # another mixing, scaled and shifted
    result: dict = {"rows": rows, "dim": dim}
    rng = np.random.default_rng(0)
    result["fd_s"], fd = timed(lambda: frechet_distance(real, fake))
    result["fd"] = fd.value
    result["fd_bootstrap_100_s"], _ = timed(lambda: fd_bootstrap(real, fake, 100, rng=rng, estimate=fd.value))
    result["fd_infinity_15_s"], _ = timed(lambda: fd_sample_size_bias(real, fake, 15, rng))
    result["kid_100x1000_s"], _ = timed(lambda: kernel_inception_distance(real, fake, rng=rng))
    result["prdc_s"], _ = timed(lambda: precision_recall_density_coverage(real, fake, k=5))
    peak, ours = peak_extra_bytes(lambda: precision_recall_density_coverage(real, fake, k=5))
    result["prdc_peak_mb"] = round(peak / MB, 1)
    result["n_by_m_float64_mb"] = round(rows * rows * 8 / MB, 1)
    result["evaluate_features_s"], row = timed(lambda: evaluate_features(real, fake))
    result["row"] = {key: row[key] for key in ("fd", "fd_ci", "fd_infinity", "kid", "kid_std", "precision",
                                                "recall", "density", "coverage")}
    if compare_package:
        import prdc

        real64, fake64 = real.astype(np.float64), fake.astype(np.float64)
        with contextlib.redirect_stdout(io.StringIO()):
            result["prdc_package_s"], _ = timed(lambda: prdc.compute_prdc(real64, fake64, 5))
            peak, expected = peak_extra_bytes(lambda: prdc.compute_prdc(real64, fake64, 5))
        result["prdc_package_peak_mb"] = round(peak / MB, 1)
        result["prdc_package_equal"] = all(
            float(expected[name]) == getattr(ours, name) for name in ("precision", "recall", "density", "coverage"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--dims", default="64,512")
    parser.add_argument("--no-prdc-package", action="store_true")
    args = parser.parse_args()
    runs = []
    for dim in (int(d) for d in args.dims.split(",")):
        runs.append(measure(args.rows, dim, not args.no_prdc_package))
        print({key: value for key, value in runs[-1].items() if key != "row"}, flush=True)
        # Written after each width, so a long run keeps what it measured. The machine is shared:
        # the load average says how much of it this run had.
        save_json(RESULT, {"machine": machine_info(), "load_average_1min": os.getloadavg()[0], "runs": runs})
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
