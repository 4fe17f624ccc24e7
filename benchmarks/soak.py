"""Soak: encode + analyze at growing N (up to 1,000,000 x 256), peak memory and time.

The streaming parts must keep memory flat in N: ``encode`` (a cache of N tiny images through a
small encoder with a 256-d latent, written into a memmap) and ``analyze`` (exact moments,
correlation, histograms, PCA over a memmapped N x 256 float32 file; figures off, t-SNE off).
Each (stage, N) runs in a fresh process that reports its own peak RSS. The result lists
time and peak RSS per N and the ratio of peak RSS at the largest N to the smallest.

    python benchmarks/soak.py [--sizes 250000,500000,1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

DIM = 256


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class AnonymousPeak:
    """Peak anonymous memory (RssAnon: heap, not memmapped file pages), sampled every 20 ms.

    Peak RSS also counts the pages of memmapped files a pass has touched; those are page cache
    that the kernel can drop at any time, so the flat-in-N claim is about RssAnon.
    """

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @staticmethod
    def now() -> float:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(0.02)

    def __enter__(self) -> AnonymousPeak:
        self.before = self.now()  # what the benchmark's own setup holds (e.g. the N generated ids)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def child_encode(folder: Path, count: int) -> dict:
    from zspace.config import TrainConfig, save_config
    from zspace.data.cache import prepare_cache
    from zspace.data.idx_source import array_source
    from zspace.encoding import encode
    from zspace.io import save_json
    from zspace.models.architectures import model_config
    from zspace.models.autoencoder import build_model
    from zspace.models.weights import save_weights
    from zspace.run import Run

    # N tiny images made chunk by chunk (a generated source), a random encoder: what is
    # measured is the streaming path, not learning.
    rng = np.random.default_rng(0)
    pool = rng.integers(0, 256, size=(4096, 16, 16, 1), dtype=np.uint8)
    ids = np.char.add("img-", np.arange(count).astype(str))
    source = array_source("idx", pool, {"source_id": ids[:4096]})
    source.count, source.index = count, {"source_id": ids}
    source.read = lambda start, stop: pool[np.arange(start, stop) % len(pool)]
    cache = folder / "cache"
    prepare_cache(source, cache, workers=1, val_fraction=0.0, force=True)
    run = folder / "run"
    run.mkdir(exist_ok=True)
    config = model_config("small", image_size=16, channels=1, latent_dim=DIM, filters=(8, 8, 8, 8))
    layout = Run(run)
    save_config(layout.config_file, config)
    save_config(layout.train_config_file, TrainConfig(data=str(cache)))
    save_weights(layout.model_file, build_model(config))
    save_json(run / "note.json", {"weights": "random, for the soak"})
    start = time.perf_counter()
    with AnonymousPeak() as anonymous:
        encode(run, batch_size=1024)
    return {"seconds": time.perf_counter() - start, "peak_anonymous_mb": anonymous.peak,
            "anonymous_growth_mb": anonymous.peak - anonymous.before, "peak_rss_mb": peak_rss_mb()}


def child_analyze(folder: Path, count: int) -> dict:
    from zspace.analysis.analyze import AnalysisOptions, analyze
    from zspace.analysis.load import load_vectors
    from zspace.results import save

    path = folder / "latents.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(count, DIM))
    rng = np.random.default_rng(1)
    for start in range(0, count, 65_536):
        stop = min(start + 65_536, count)
        out[start:stop] = rng.standard_normal((stop - start, DIM), dtype=np.float32) * 0.8 + 0.1
    out.flush()
    del out
    start = time.perf_counter()
    with AnonymousPeak() as anonymous:
        save(analyze(load_vectors(path), None, AnalysisOptions()), folder / "analysis")
    return {"seconds": time.perf_counter() - start, "peak_anonymous_mb": anonymous.peak,
            "anonymous_growth_mb": anonymous.peak - anonymous.before, "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250000,500000,1000000")
    parser.add_argument("--child", nargs=3, metavar=("STAGE", "FOLDER", "N"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "soak.json")
    args = parser.parse_args()
    if args.child:
        stage, folder, count = args.child
        run = child_encode if stage == "encode" else child_analyze
        print(json.dumps(run(Path(folder), int(count))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict[str, dict]] = {"encode": {}, "analyze": {}}
    for stage in results:
        for count in sizes:
            with tempfile.TemporaryDirectory() as folder:
                done = subprocess.run([sys.executable, __file__, "--child", stage, folder, str(count)],
                                      capture_output=True, text=True, check=True)
                results[stage][str(count)] = json.loads(done.stdout.strip().splitlines()[-1])
                print(stage, count, results[stage][str(count)], flush=True)
    # Growth of anonymous memory per million extra rows, smallest to largest N: 0 is perfectly flat.
    span = (sizes[-1] - sizes[0]) / 1e6
    slope = {stage: round((r[str(sizes[-1])]["anonymous_growth_mb"] - r[str(sizes[0])]["anonymous_growth_mb"]) / span,
                          1) for stage, r in results.items()}
    result = {"benchmark": "soak", "machine": machine_info(), "dim": DIM, "sizes": sizes, "results": results,
              "anonymous_mb_per_million_rows": slope,
              "note": "flat in N: anonymous memory added during the stage grows by anonymous_mb_per_million_rows "
                      f"while N grows {sizes[-1] // sizes[0]}x (a 1M x 256 float32 array is 1,024 MB); "
                      "peak_rss_mb also counts touched pages of the memmapped files (page cache the kernel may drop)"}
    from zspace.io import save_json

    save_json(args.out, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
