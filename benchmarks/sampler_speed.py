"""Sampler speed: fitting gmm:k=10 on 170,000 x 256, sampling 100,000 points, decoding overhead.

Goals (issue 5): the GMM fit under 60 s on 2 cores; 100,000 samples from every
sampler under 1 s; the generation decode path (batches, uint8, progress)
within 10% of the model's raw forward pass. Result:
benchmarks/results/sampler_speed.json with the machine and ratios.

    python benchmarks/sampler_speed.py [--rows 170000] [--dim 256] [--samples 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.io import save_json  # noqa: E402
from zspace.models.architectures import model_config  # noqa: E402
from zspace.models.autoencoder import build_model  # noqa: E402
from zspace.models.inference import decode  # noqa: E402
from zspace.samplers import SAMPLERS, parse_sampler  # noqa: E402


def planted_latents(rows: int, dim: int, clusters: int = 10, seed: int = 0) -> np.ndarray:
    """A mixture of ``clusters`` correlated Gaussians: latents with structure, like an AE's."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0, 2.0, (clusters, dim))
    mixing = rng.normal(0, 1 / np.sqrt(dim), (dim, dim)) + np.eye(dim)  # correlations
    labels = rng.integers(0, clusters, rows)
    out = np.empty((rows, dim), np.float32)
    step = 20_000
    for start in range(0, rows, step):
        stop = min(start + step, rows)
        out[start:stop] = rng.standard_normal((stop - start, dim)) @ mixing.T + means[labels[start:stop]]
    return out


def timed(function, repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=170_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--sample-fit-rows", type=int, default=20_000,
                        help="rows the samplers are fitted on for the sampling timings (knn-mix fit is O(N^2))")
    parser.add_argument("--decode-images", type=int, default=1024)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "sampler_speed.json")
    args = parser.parse_args()
    threads = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    result: dict[str, object] = {"machine": machine_info(), "thread_env": threads, "load_average": os.getloadavg(),
                                 "rows": args.rows, "dim": args.dim}

    latents = planted_latents(args.rows, args.dim)
    gmm = parse_sampler("gmm:k=10")
    fit_s = timed(lambda: gmm.fit(latents))
    result["gmm_fit"] = {"seconds": round(fit_s, 2), "goal_s": 60, "ratio_to_goal": round(fit_s / 60, 3),
                         "iterations": gmm.iterations_, "converged": gmm.converged_}
    print(f"gmm:k=10 fit on {args.rows} x {args.dim}: {fit_s:.1f} s ({gmm.iterations_} EM iterations)", flush=True)

    subset = latents[: args.sample_fit_rows]
    sampling = {}
    for name in SAMPLERS:
        sampler = parse_sampler(name)
        if name == "gmm":
            sampler = gmm
        elif sampler.needs_fit:
            fit_start = time.perf_counter()
            sampler.fit(subset)
            fit_seconds = time.perf_counter() - fit_start
        else:
            sampler.with_dim(args.dim)
        seconds = timed(lambda s=sampler: s.sample(args.samples, np.random.default_rng(0)), repeats=3)
        sampling[name] = {"seconds": round(seconds, 4), "goal_s": 1.0, "ratio_to_goal": round(seconds, 4)}
        if sampler.needs_fit and name != "gmm":
            sampling[name][f"fit_seconds_on_{args.sample_fit_rows}"] = round(fit_seconds, 2)
        print(f"sample {args.samples} from {name}: {seconds:.3f} s", flush=True)
    result["sampling"] = sampling

    # Decoding: the seed-sized model at 64 px, the raw forward pass against zspace.generation.decode.
    torch.manual_seed(0)
    model = build_model(model_config("small", model="vae", image_size=64, channels=3, latent_dim=args.dim)).eval()
    z = np.random.default_rng(0).standard_normal((args.decode_images, args.dim)).astype(np.float32)
    batch = 256

    @torch.no_grad()
    def raw() -> None:
        tensor = torch.from_numpy(z)
        for start in range(0, len(tensor), batch):
            model.decode(tensor[start : start + batch])

    done: list[int] = []
    raw_times, path_times = [], []
    for _ in range(5):  # alternate, keep the best of each: the machine may be shared
        raw_times.append(timed(raw))
        path_times.append(timed(lambda: decode(model, z, batch, "cpu", done.append)))
    raw_s, path_s = min(raw_times), min(path_times)
    result["decode"] = {
        "images": args.decode_images, "batch_size": batch,
        "raw_forward_images_per_s": round(args.decode_images / raw_s, 1),
        "generation_path_images_per_s": round(args.decode_images / path_s, 1),
        "overhead": round(path_s / raw_s - 1, 4), "goal_overhead": 0.10,
    }
    print(f"decode {args.decode_images}: raw {raw_s:.2f} s, generation path {path_s:.2f} s "
          f"(overhead {100 * (path_s / raw_s - 1):.1f}%)", flush=True)
    save_json(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
