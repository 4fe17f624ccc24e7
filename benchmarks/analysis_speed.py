"""Speed and memory of the latent analysis (issue 4 performance goals), one run, ratios in the JSON.

    python benchmarks/analysis_speed.py [--rows 170000] [--dim 256] [--tsne-points 20000] [--no-sklearn-tsne]

- exact streaming correlation vs one float64 X.T @ X on the same array (goal <= 2x), vs numpy.corrcoef on
  the full array and on a 5,000-row subsample (the seed's workaround); extra memory by tracemalloc;
- PCA from the streamed covariance (eigh) vs scikit-learn PCA (full SVD and covariance_eigh solvers);
- analyze() of the whole array without t-SNE in a child process: wall time and peak RSS;
- t-SNE of --tsne-points vectors: openTSNE (FFT, 2 jobs) vs scikit-learn TSNE (Barnes-Hut, 2 jobs).

Result: benchmarks/results/analysis_speed.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.analysis.moments import default_chunk_rows, streaming_moments  # noqa: E402
from zspace.analysis.pca import pca_from_covariance  # noqa: E402
from zspace.io import save_json  # noqa: E402

RESULT = Path(__file__).parent / "results" / "analysis_speed.json"


def best_of(repeats: int, function) -> tuple[float, object]:
    """Shortest wall time of ``repeats`` calls (the machine is shared; the minimum is the least disturbed)."""
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def peak_extra_bytes(function) -> int:
    """Peak bytes allocated (numpy allocations are traced) while ``function`` runs, beyond what existed before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return int(peak)


def make_latents(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    """float32 latents with correlated components (a random mixing of standard normals) and an offset."""
    rng = np.random.default_rng(seed)
    mixing = np.eye(dim) + 0.15 * rng.standard_normal((dim, dim)) / np.sqrt(dim) * 4
    out = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, 20_000):
        block = rng.standard_normal((min(20_000, rows - start), dim))
        out[start:start + len(block)] = block @ mixing + 0.3
    return out


def gram(array: np.ndarray) -> np.ndarray:
    return array.T @ array


def gram_seconds(latents: np.ndarray, repeats: int) -> float:
    """One float64 X.T @ X on an already converted copy (the copy is freed on return)."""
    as64 = latents.astype(np.float64)
    seconds, _ = best_of(repeats, lambda: gram(as64))
    return seconds


def correlation_section(latents: np.ndarray, repeats: int) -> dict:
    t_gram = gram_seconds(latents, repeats)
    t_convert_gram, _ = best_of(repeats, lambda: gram(latents.astype(np.float64)))
    t_stream, r_stream = best_of(repeats, lambda: streaming_moments(latents).correlation())
    t_corrcoef, r_full = best_of(1, lambda: np.corrcoef(latents, rowvar=False))
    rows = np.random.default_rng(1).choice(len(latents), 5_000, replace=False)
    t_sub, r_sub = best_of(repeats, lambda: np.corrcoef(latents[rows], rowvar=False))
    stream_bytes = peak_extra_bytes(lambda: streaming_moments(latents).correlation())
    corrcoef_bytes = peak_extra_bytes(lambda: np.corrcoef(latents, rowvar=False))
    dim = latents.shape[1]
    return {
        "seconds": {"streaming_exact": t_stream, "float64_gram_XtX": t_gram,
                    "float64_convert_plus_XtX": t_convert_gram, "numpy_corrcoef_full": t_corrcoef,
                    "numpy_corrcoef_5000_subsample": t_sub},
        "ratios": {"streaming_over_gram": t_stream / t_gram,
                   "streaming_over_convert_plus_gram": t_stream / t_convert_gram,
                   "corrcoef_full_over_streaming": t_corrcoef / t_stream},
        "max_abs_r_difference_vs_corrcoef_full": float(np.max(np.abs(r_stream - r_full))),
        "max_abs_r_error_of_5000_subsample": float(np.max(np.abs(r_sub - r_full))),
        "extra_memory_mb": {"streaming_peak_traced": stream_bytes / 2**20,
                            "streaming_by_arithmetic": (default_chunk_rows(dim) * dim * 8 * 2 + 4 * dim * dim * 8)
                            / 2**20,
                            "corrcoef_full_peak_traced": corrcoef_bytes / 2**20},
    }


def pca_section(latents: np.ndarray, repeats: int) -> dict:
    from sklearn.decomposition import PCA

    moments = streaming_moments(latents)
    t_eigh, ours = best_of(repeats, lambda: pca_from_covariance(moments.mean, moments.covariance))
    t_total, _ = best_of(1, lambda: (lambda m: pca_from_covariance(m.mean, m.covariance))(streaming_moments(latents)))
    t_full, reference = best_of(1, lambda: PCA(svd_solver="full").fit(latents))
    result = {"seconds": {"eigh_of_streamed_covariance": t_eigh, "streaming_moments_plus_eigh": t_total,
                          "sklearn_pca_full_svd": t_full},
              "max_abs_explained_variance_ratio_difference": float(
                  np.max(np.abs(ours.explained_variance_ratio - reference.explained_variance_ratio_)))}
    try:
        t_cov, _ = best_of(1, lambda: PCA(svd_solver="covariance_eigh").fit(latents))
        result["seconds"]["sklearn_pca_covariance_eigh"] = t_cov
    except ValueError:
        pass
    result["ratios"] = {"sklearn_full_over_ours_total": t_full / t_total}
    return result


def analyze_child(path: str, out: str) -> None:
    """Run in a child process so that its peak RSS is the analysis alone."""
    from zspace.analysis import AnalysisOptions, analyze, load_vectors

    start = time.perf_counter()
    analyze(load_vectors(path), None, out, AnalysisOptions(tsne_points=0))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """Peak resident memory of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a
    child started from a big parent would report the parent's peak. Includes the touched pages of the
    memory-mapped input (file-backed, reclaimable)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyze_section(latents: np.ndarray) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "latents.npy"
        np.save(path, latents)
        child = subprocess.run([sys.executable, __file__, "--child-analyze", str(path), str(Path(folder) / "out")],
                               capture_output=True, text=True, check=True)
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        figures = len(list((Path(folder) / "out" / "figures").glob("*.png")))
    return {**measured, "figures": figures, "input_file_mb": latents.nbytes / 2**20,
            "note": "includes writing every figure; the input is memory-mapped and its pages count in the RSS"}


def tsne_section(latents: np.ndarray, points: int, with_sklearn: bool) -> dict:
    from zspace.analysis.tsne import tsne_map

    sample = np.asarray(latents[:points], dtype=np.float64)
    rows = np.arange(points)
    t_open, _ = best_of(1, lambda: tsne_map(sample, rows, method="fft", n_jobs=2))
    result = {"points": points, "seconds": {"opentsne_fft": t_open}}
    if with_sklearn:
        from sklearn.manifold import TSNE

        t_sk, _ = best_of(1, lambda: TSNE(n_components=2, random_state=0, n_jobs=2).fit_transform(sample))
        result["seconds"]["sklearn_tsne_barnes_hut"] = t_sk
        result["ratios"] = {"sklearn_over_opentsne": t_sk / t_open}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=170_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tsne-points", type=int, default=20_000, help="0 = skip t-SNE")
    parser.add_argument("--no-sklearn-tsne", action="store_true")
    parser.add_argument("--sections", default="correlation,pca,analyze,tsne",
                        help="comma-separated; a subset re-measures those and keeps the rest of the JSON")
    parser.add_argument("--child-analyze", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_analyze:
        analyze_child(*args.child_analyze)
        return
    sections = set(args.sections.split(","))
    latents = make_latents(args.rows, args.dim)
    result = json.loads(RESULT.read_text()) if sections != {"correlation", "pca", "analyze", "tsne"} and \
        RESULT.is_file() else {}
    result.update({"benchmark": "analysis_speed", "machine": machine_info(),
                   "setup": {"rows": args.rows, "dim": args.dim, "dtype": "float32", "repeats": args.repeats}})
    if "correlation" in sections:
        print("correlation ...", file=sys.stderr)
        result["correlation"] = correlation_section(latents, args.repeats)
    if "pca" in sections:
        print("pca ...", file=sys.stderr)
        result["pca"] = pca_section(latents, args.repeats)
    if "analyze" in sections:
        print("analyze ...", file=sys.stderr)
        result["analyze_without_tsne"] = analyze_section(latents)
    if "tsne" in sections and args.tsne_points:
        print("t-SNE ...", file=sys.stderr)
        key = "tsne" if args.tsne_points == 20_000 else f"tsne_{args.tsne_points}"  # keep the 20k comparison
        result[key] = tsne_section(latents, args.tsne_points, not args.no_sklearn_tsne)
    save_json(RESULT, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
