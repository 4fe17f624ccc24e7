"""The explorer's inverse measured: held-out map points decoded from the map vs their true images (issue 22 §4).

    .venv/bin/python scripts/inverse_table.py RUN [RUN ...] [--out benchmarks/results/explore_inverse.json]
        [--most 400] [--seed 0] [--repeats 5] [--speed-rows 1000000]

For each run: its saved t-SNE/UMAP maps (every inverse method of zspace.explore.inverse_methods)
and its PCA plane 1-2 (the exact inverse, a reference row), by
:func:`zspace.explore.inverse_study.measure_inverse`: pixel RMSE and judge-feature L2 (the judge
stored beside the run's image cache, when there is one; pixels only otherwise) against the
nearest-image and mean-image baselines, per design (random 2 % hold-out; discs: artificial voids)
and per bin of distance ratio. Then the time of one click's inverse and of a 12 x 12 atlas's on a
synthetic map of ``--speed-rows`` points (d = 256). Writes the JSON and prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from zspace.explore.data import open_explorer
from zspace.explore.inverse import invert, invert_many
from zspace.explore.inverse_methods import DEFAULT_METHOD, METHODS
from zspace.explore.inverse_study import measure_inverse, stored_judge_features
from zspace.explore.maps import MapView
from zspace.io import save_json
from zspace.models.inference import decode as decode_batch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import machine_info  # noqa: E402

SHOWN = (*METHODS, "exact", "nearest_image", "mean_image", "own_latent")


def study_run(path: str, most: int, seed: int, repeats: int) -> list[dict]:
    data = open_explorer(path)
    cache = data.run.encoded_cache()
    features, judge = stored_judge_features(cache)
    if data.images is None:
        raise SystemExit(f"{path}: no image cache, so no true images to compare with")

    def decode(latents: np.ndarray) -> np.ndarray:
        return decode_batch(data.model, latents)

    names = [name for name, view in data.maps.items() if view.method in ("tsne", "umap")] + ["pca-1-2"]
    studies = []
    for name in names:
        started = time.perf_counter()
        study = measure_inverse(data.maps[name], data.vectors, data.images, decode, features, most=most,
                                seed=seed, pca=data.pca, feature_name=judge, repeats=repeats)
        row = {"run": data.run.name, "path": str(data.run.path), "seconds": round(time.perf_counter() - started, 2),
               **study.to_dict(),
               "expected_at": {str(r): study.expected(r) for r in (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)}}
        studies.append(row)
        print(f"{data.run.name} {name}: {study.held_out} held out in {row['seconds']} s", file=sys.stderr)
    return studies


def speed(rows: int, dim: int = 256, seed: int = 0) -> dict:
    """Milliseconds of one click's inverse and of a 12 x 12 atlas's, per method, on a synthetic map."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 2)) * 10
    coordinates = centres[rng.integers(0, 40, rows)] + rng.normal(size=(rows, 2))  # clusters, as t-SNE draws
    vectors = rng.standard_normal((rows, dim), dtype=np.float32)
    view = MapView("tsne", "t-SNE", "tsne", np.arange(rows, dtype=np.int64), coordinates)
    started = time.perf_counter()
    view.spacing()  # builds the tree, once per map at the server's warm-up
    tree_s = time.perf_counter() - started
    clicks = rng.uniform(-1, 1, size=(30, 2))
    grid = np.stack(np.meshgrid(np.linspace(-0.5, 0.5, 12), np.linspace(-0.5, 0.5, 12)), -1).reshape(-1, 2)
    out = {"rows": rows, "dim": dim, "tree_and_spacing_s": round(tree_s, 2), "click_ms": {}, "atlas_144_ms": {}}
    for method in METHODS:
        times = []
        for x, y in clicks:
            started = time.perf_counter()
            invert(view, float(x), float(y), vectors, None, method=method)
            times.append(1000 * (time.perf_counter() - started))
        out["click_ms"][method] = {"median": round(float(np.median(times)), 3), "max": round(float(np.max(times)), 3)}
        atlas = []
        for _ in range(5):
            started = time.perf_counter()
            invert_many(view, grid, vectors, None, method=method)
            atlas.append(1000 * (time.perf_counter() - started))
        out["atlas_144_ms"][method] = {"median": round(float(np.median(atlas)), 3),
                                       "max": round(float(np.max(atlas)), 3)}
    return out


def _cell(summary: dict | None) -> str:
    if summary is None:
        return "–"
    if summary["low"] is None:
        return f"{summary['mean']:.4f}"
    return f"{summary['mean']:.4f} [{summary['low']:.4f}, {summary['high']:.4f}]"


def table(studies: list[dict]) -> str:
    lines = ["| run | map | hold-out | method | pixel RMSE [95% CI] | judge feature L2 [95% CI] | "
             "pixels vs nearest image | features vs nearest image | pixels vs mean image | n |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for study in studies:
        for design, summary in study["designs"].items():
            for name in SHOWN:
                if name not in summary["overall"]:
                    continue
                row = summary["overall"][name]
                mark = f"**{name}**" if name == study["default"] else name
                versus = ("–" if name in ("nearest_image", "mean_image") else
                          f"{row['pixels_minus_nearest_image']['mean']:+.4f}")
                versus_features = ("–" if name in ("nearest_image", "mean_image") or row["features"] is None else
                                   f"{row['features_minus_nearest_image']['mean']:+.4f}")
                versus_mean = "–" if name == "mean_image" else f"{row['pixels_minus_mean_image']['mean']:+.4f}"
                lines.append(f"| {study['run']} | {study['map']} | {design} (ratio median "
                             f"{summary['ratio_median']:.2f}, max {summary['ratio_max']:.1f}) | {mark} | "
                             f"{_cell(row['pixels'])} | {_cell(row['features'])} | {versus} | {versus_features} | "
                             f"{versus_mean} | "
                             f"{row['pixels']['n']} |")
    return "\n".join(lines)


def bin_table(studies: list[dict]) -> str:
    lines = ["| run | map | ratio bin | n | " + " | ".join(f"{m} px" for m in (*METHODS, "nearest_image")) + " |",
             "|---|---|---|---|" + "---|" * (len(METHODS) + 1)]
    for study in studies:
        if study["map_method"] == "pca":
            continue
        for design, summary in study["designs"].items():
            for row in summary["bins"]:
                high = "∞" if row["ratio"][1] is None else f"{row['ratio'][1]:g}"
                cells = [f"{row[m]['pixels']['mean']:.4f}" if m in row else "–" for m in (*METHODS, "nearest_image")]
                lines.append(f"| {study['run']} | {study['map']} ({design}) | [{row['ratio'][0]:g}, {high}) | "
                             f"{row['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "explore_inverse.json"))
    parser.add_argument("--most", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="independent random 2 %% hold-outs, pooled")
    parser.add_argument("--speed-rows", type=int, default=1_000_000, help="0: skip the timing")
    args = parser.parse_args()
    load_before = os.getloadavg()
    studies = [row for path in args.runs for row in study_run(path, args.most, args.seed, args.repeats)]
    timing = speed(args.speed_rows) if args.speed_rows else None
    result = {"default_method": DEFAULT_METHOD, "studies": studies, "speed": timing, "machine": machine_info(),
              "load_average_before": load_before, "load_average_after": os.getloadavg()}
    save_json(args.out, result)
    print(table(studies))
    print()
    print(bin_table(studies))
    if timing:
        print()
        print(f"speed at {timing['rows']:,} points x {timing['dim']}: click inverse ms {timing['click_ms']}; "
              f"12 x 12 atlas ms {timing['atlas_144_ms']}")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
