"""Speed of the structure analysis (issue 12 performance goal: 50,000 x 256, 5 null draws, < 2 min on 2 cores).

    python benchmarks/structure_speed.py [--rows 50000] [--dim 256] [--draws 5] [--threads 2,1] [--quick]

- structure_analysis() end to end with the faiss backend (the default when installed) and the numpy backend,
  for each thread count (2 = the goal's cores; 1 as well, because on a machine whose cores other work already
  keeps busy, two spinning OpenMP/BLAS threads can be slower than one), with the peak RSS of the process;
- the nearest-neighbour work of one cloud (5,000 queries x 21 neighbours and 4,000 probes x 1 neighbour
  among all rows) by faiss IndexFlatL2, the numpy float32 chunks, scikit-learn NearestNeighbors (brute, the
  baseline) and hnswlib (graph index: build + query, with its recall against the exact neighbours);
- threads limited for BLAS (threadpoolctl), OpenMP and faiss;
- the float32 matrix-product rate of the machine at that moment (sgemm GFLOP/s, 2 threads), measured before
  and after, so that timings taken while other work shares the cores can be judged.

Result: benchmarks/results/structure_speed.json. Timings on a shared machine are noisy: the minimum of the
repeats is reported, with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

RESULT = Path(__file__).parent / "results" / "structure_speed.json"


def make_latents(rows: int, dim: int, seed: int = 0) -> np.ndarray:
    """float32 VAE-like latents: 40 live components of decaying scale, the rest nearly collapsed, mixed."""
    rng = np.random.default_rng(seed)
    scales = np.where(np.arange(dim) < 40, np.geomspace(3, 0.5, dim)[:dim], 0.05)
    rotation, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    out = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, 10_000):
        block = rng.standard_normal((min(10_000, rows - start), dim)) * scales
        out[start:start + len(block)] = block @ rotation.T + 0.2
    return out


def best_of(repeats: int, function):
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def sgemm_gflops(threads: int) -> float:
    """Float32 matrix-product rate now: a (4096, 256) x (256, 16384) product, best of 3."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((4096, 256), dtype=np.float32)
    b = rng.standard_normal((256, 16384), dtype=np.float32)
    with threadpool_limits(threads):
        seconds, _ = best_of(3, lambda: a @ b)
    return 2 * 4096 * 256 * 16384 / seconds / 1e9


def neighbour_section(latents: np.ndarray, queries: int, probes: int, k: int, repeats: int, threads: int,
                      hnsw: bool = True) -> dict:
    """The kNN work of one cloud by each library; hnswlib's recall@k against the exact neighbours."""
    from sklearn.neighbors import NearestNeighbors

    from zspace.neighbours import _faiss_search, _numpy_search, faiss_available

    rng = np.random.default_rng(1)
    centred = (latents - latents.mean(axis=0)).astype(np.float32)
    query_points = centred[rng.choice(len(centred), queries, replace=False)]
    probe_points = (rng.standard_normal((probes, centred.shape[1])) * centred.std(axis=0)).astype(np.float32)
    out: dict[str, object] = {"queries": queries, "probes": probes, "k": k, "rows": len(centred)}

    def exact(search):
        return search(query_points, centred, k + 1), search(probe_points, centred, 1)

    seconds, (numpy_neighbours, _) = best_of(repeats, lambda: exact(_numpy_search))
    out["numpy_float32_s"] = seconds
    if faiss_available():
        seconds, _ = best_of(repeats, lambda: exact(_faiss_search))
        out["faiss_flat_s"] = seconds

    def sklearn_brute():
        index = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", n_jobs=threads).fit(centred)
        return index.kneighbors(query_points), index.kneighbors(probe_points, n_neighbors=1)

    import sklearn

    with sklearn.config_context(working_memory=64):  # MB per chunk, as the other backends
        out["sklearn_brute_s"], _ = best_of(repeats, sklearn_brute)
    try:
        import hnswlib
    except ImportError:
        out["hnswlib"] = "not installed"
    if hnsw and "hnswlib" not in out:
        def hnsw():
            index = hnswlib.Index(space="l2", dim=centred.shape[1])
            index.init_index(max_elements=len(centred), ef_construction=100, M=16)
            index.set_num_threads(threads)
            start = time.perf_counter()
            index.add_items(centred)
            built = time.perf_counter() - start
            index.set_ef(100)
            found, _ = index.knn_query(query_points, k=k + 1)
            index.knn_query(probe_points, k=1)
            return built, found
        seconds, (build_seconds, found) = best_of(1, hnsw)
        recall = np.mean([len(set(a) & set(b)) / (k + 1) for a, b in zip(found, numpy_neighbours, strict=True)])
        out["hnswlib_s"] = seconds
        out["hnswlib_build_s"] = build_seconds
        out["hnswlib_recall"] = float(recall)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--threads", default="2,1", help="comma-separated thread counts")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.dim = 4000, 32
    from threadpoolctl import threadpool_limits

    from zspace.analysis.structure import StructureOptions, structure_analysis
    from zspace.io import save_json
    from zspace.neighbours import faiss_available

    thread_counts = [int(t) for t in args.threads.split(",")]
    latents = make_latents(args.rows, args.dim)
    result: dict[str, object] = {"machine": machine_info(), "rows": args.rows, "dim": args.dim,
                                 "null_draws": args.draws, "threads": thread_counts, "goal_s": 120,
                                 "load_average_before": os.getloadavg(),
                                 "sgemm_gflops_before": {t: sgemm_gflops(t) for t in thread_counts}}
    options = StructureOptions(null_draws=args.draws)
    result["options"] = options.to_dict()
    backends = ["faiss", "numpy"] if faiss_available() else ["numpy"]
    for threads in thread_counts:
        if faiss_available():
            import faiss

            faiss.omp_set_num_threads(threads)
        with threadpool_limits(threads):
            for backend in backends:
                chosen = StructureOptions(null_draws=args.draws, backend=backend)
                seconds, analysis = best_of(args.repeats, lambda chosen=chosen: structure_analysis(latents, chosen))
                result[f"structure_analysis_{backend}_{threads}_threads"] = {
                    "seconds": seconds, "timings_s": analysis.timings,
                    "peak_rss_mib_so_far": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "significant": [t.name for t in analysis.significant],
                    "intrinsic_dimension": analysis.intrinsic_dimension,
                    "null_intrinsic_dimension": analysis.null_intrinsic_dimension,
                }
                print(f"structure_analysis ({backend}, {threads} threads): {seconds:.1f} s {analysis.timings}",
                      flush=True)
        with threadpool_limits(threads):
            section = neighbour_section(latents, min(options.query_points, args.rows), 4 * options.probes,
                                        options.neighbours, args.repeats, threads, hnsw=threads == thread_counts[0])
        result[f"neighbours_one_cloud_{threads}_threads"] = section
        print(section, flush=True)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_average_after"] = os.getloadavg()
    result["sgemm_gflops_after"] = {t: sgemm_gflops(t) for t in thread_counts}
    if not args.quick:
        save_json(RESULT, result)
        print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
