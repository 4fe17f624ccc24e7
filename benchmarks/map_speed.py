"""Full t-SNE maps (issue 22): fitting every point against fitting a subsample and placing the rest.

    python benchmarks/map_speed.py [--latents DEMO_RUN/vae/latents.npy] [--large 100000] [--fit 3000,5000]
                                   [--no-fit-all-large] [--cases demo,large]

Cases: the demo's size (12,000 x 32: its VAE latents with --latents, else a synthetic mixture) and
--large x 32 (a synthetic mixture of 20 anisotropic Gaussians). For each case, t-SNE of every
point fitted whole, and for each --fit size t-SNE fitted on that many and the others placed
(zspace.analysis.tsne: openTSNE prepare_partial + 100 iterations, in chunks of 50,000). Times
are split into fitting and placing by the progress steps. Quality: for 1,000 placed rows, the
share of each row's 10 nearest neighbours in latent space that are among its 10 nearest in the
map (kNN recall), the same rows in every map of the case; for the synthetic mixture also the share
of those rows whose 10 nearest map points mostly share their component (the kNN label agreement;
in latent space it is the ceiling). Wall times and the load average at the start of each run go
into benchmarks/results/map_speed.json (a case run again replaces only that case).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.analysis.tsne import Placement, tsne_map  # noqa: E402
from zspace.io import save_json  # noqa: E402

RESULT = Path(__file__).parent / "results" / "map_speed.json"
QUALITY_ROWS = 1_000
NEIGHBOURS = 10


def mixture(rows: int, dim: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(rows, dim) float32 points of 20 anisotropic Gaussians and the component of each."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 20, rows)
    centres, widths = rng.normal(0, 1.5, (20, dim)), rng.uniform(0.3, 1.0, (20, dim))
    return (centres[labels] + rng.normal(0, 1, (rows, dim)) * widths[labels]).astype(np.float32), labels


class Clock:
    """A zspace Progress that records how long each step (fit, place) took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, total: int, unit: str, description: str):
        start = time.perf_counter()
        yield lambda n: None
        self.seconds["place" if description.startswith("placing") else "fit"] = time.perf_counter() - start


def label_agreement(points: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """Share of ``rows`` whose 10 nearest other points mostly (> half) share the row's label."""
    _, near = cKDTree(points).query(points[rows], k=NEIGHBOURS + 1)
    return float(np.mean((labels[near[:, 1:]] == labels[rows][:, None]).mean(axis=1) > 0.5))


def knn_recall(latents: np.ndarray, coordinates: np.ndarray, rows: np.ndarray) -> float:
    _, high = cKDTree(latents).query(latents[rows], k=NEIGHBOURS + 1)
    _, low = cKDTree(coordinates).query(coordinates[rows], k=NEIGHBOURS + 1)
    return float(np.mean([len(set(h[1:]) & set(lo[1:])) / NEIGHBOURS for h, lo in zip(high, low, strict=True)]))


def one_map(latents: np.ndarray, fit: int | None, seed: int = 0) -> tuple[dict, np.ndarray]:
    count = len(latents)
    clock = Clock()
    rows = np.arange(count)
    fit_rows = rows if fit is None else np.sort(np.random.default_rng(seed).choice(count, fit, replace=False))
    placed = np.setdiff1d(rows, fit_rows)
    placement = Placement(placed, lambda r: latents[r].astype(np.float64)) if len(placed) else None
    load = os.getloadavg()[0]
    start = time.perf_counter()
    embedding = tsne_map(latents[fit_rows].astype(np.float64), fit_rows, progress=clock, placement=placement)
    total = time.perf_counter() - start
    entry = {"fitted": int(embedding.fitted.sum()), "placed": int((~embedding.fitted).sum()),
             "seconds": round(total, 1), "fit_seconds": round(clock.seconds.get("fit", total), 1),
             "place_seconds": round(clock.seconds.get("place", 0.0), 1), "load_average_at_start": round(load, 1),
             "method": embedding.settings["negative_gradient_method"]}
    print(entry, flush=True)
    return entry, embedding.coordinates


def case(name: str, latents: np.ndarray, fits: list[int], fit_all: bool, labels: np.ndarray | None = None) -> dict:
    print(f"{name}: {latents.shape}", flush=True)
    maps: dict[str, dict] = {}
    coordinates: dict[str, np.ndarray] = {}
    for fit in fits:
        maps[f"fit_{fit}"], coordinates[f"fit_{fit}"] = one_map(latents, fit)
    if fit_all:
        maps["fit_all"], coordinates["fit_all"] = one_map(latents, None)
    # rows placed in every fitted-subsample map (the rows fitted by none of them)
    fitted_somewhere = np.zeros(len(latents), dtype=bool)
    for fit in fits:
        fitted_somewhere[np.random.default_rng(0).choice(len(latents), fit, replace=False)] = True
    candidates = np.flatnonzero(~fitted_somewhere)
    rows = np.random.default_rng(1).choice(candidates, min(QUALITY_ROWS, len(candidates)), replace=False)
    for key, xy in coordinates.items():
        maps[key]["knn_recall_at_10_of_placed_rows"] = round(knn_recall(latents, xy, rows), 3)
        if labels is not None:
            maps[key]["knn_label_agreement_of_placed_rows"] = round(label_agreement(xy, labels, rows), 3)
    out = {"rows": len(latents), "dim": latents.shape[1], "maps": maps}
    if labels is not None:
        out["knn_label_agreement_in_latent_space"] = round(label_agreement(latents, labels, rows), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latents", type=Path, help="the demo's VAE latents.npy (12,000 x 32)")
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--fit", default="3000,5000", help="fitted subsample sizes, comma-separated")
    parser.add_argument("--no-fit-all-large", action="store_true", help="skip fitting every point of --large")
    parser.add_argument("--cases", default="demo,large", help="which cases to run: demo, large or both")
    args = parser.parse_args()
    fits = [int(f) for f in args.fit.split(",")]
    result = json.loads(RESULT.read_text()) if RESULT.is_file() else {"cases": {}}
    result |= {"machine": machine_info(), "iterations": "fit: 250 early + 500; place: 100"}
    if "demo" in args.cases:
        demo, labels = (np.load(args.latents), None) if args.latents else mixture(12_000)
        result["demo_source"] = str(args.latents) if args.latents else "synthetic mixture"
        result["cases"]["demo"] = case("demo", np.asarray(demo, dtype=np.float32), fits, True, labels)
        save_json(RESULT, result)
    if "large" in args.cases and args.large:
        points, labels = mixture(args.large)
        result["cases"]["large"] = case("large", points, fits, not args.no_fit_all_large, labels)
        save_json(RESULT, result)
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
