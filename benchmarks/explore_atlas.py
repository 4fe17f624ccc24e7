"""Server time of the explorer's decoded atlas (issue 22 §3): /api/atlas with n = 12 at 64 px. Goal: <= 1 s.

Measured through FastAPI's test client on a run whose model decodes 64 px images (the demo's ``--full``
runs, or any 64 px run with a t-SNE map): the route's own ``seconds`` (the grid, the inverse, one batched
decode of 144 latents, the PNG of the 12 x 12 picture) and the request's wall time, on a PCA plane
(exact inverse) and on the t-SNE map (the inverse of the map), median of ``--repeats`` after one warm-up
call. Baseline measured in the same run: the decode of the same 144 latents alone (the model's share).
The first decode on a t-SNE map starts the inverse study (the expected errors, expected.py) in a thread;
the timed calls start after it has finished. The load average is recorded beside the numbers: on a shared
machine it moves them.
Result: benchmarks/results/explore_atlas.json.

    python benchmarks/explore_atlas.py RUN [--repeats 10] [--out benchmarks/results/explore_atlas.json]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.io import save_json  # noqa: E402

CELLS = 12
WINDOW = (-1.0, -1.0, 1.0, 1.0)  # the whole map, normalised


def _timed(function, *args) -> float:
    began = time.perf_counter()
    function(*args)
    return time.perf_counter() - began


def measure(run: Path, repeats: int) -> dict:
    from fastapi.testclient import TestClient

    from zspace.explore.app import create_app
    from zspace.explore.atlas import decoded_atlas
    from zspace.explore.data import open_explorer

    started = time.perf_counter()
    data = open_explorer(run)
    opened = time.perf_counter() - started
    data.warm_up()
    client = TestClient(create_app(data), base_url="http://127.0.0.1")
    pool = ThreadPoolExecutor(1)
    maps = [name for name in ("pca-1-2", data.default_map) if name in data.maps]
    results: dict[str, dict] = {}
    for name in dict.fromkeys(maps):
        url = "/api/atlas?map={}&x0={}&y0={}&x1={}&y1={}&n={}".format(name, *WINDOW, CELLS)
        first = client.get(url)  # warm-up: the map's tree, spacing, the inverse's first use
        assert first.status_code == 200, first.text
        began = time.perf_counter()  # the first decode started the inverse study (expected errors) in a thread:
        study = None if data.maps[name].exact else data.inverse_errors().study(data.maps[name], wait=True)
        study_seconds = time.perf_counter() - began  # its rest, waited for so that it does not share the timing
        made = decoded_atlas(data.maps[name], WINDOW, CELLS, data.vectors, data.pca, data.decode)
        server, wall, decode_alone = [], [], []
        for _ in range(repeats):  # interleaved, so that a change of the machine's load touches both alike
            began = time.perf_counter()
            answer = client.get(url).json()
            wall.append(time.perf_counter() - began)
            server.append(answer["seconds"])
            # the same 144 latents, the same locked inference path, nothing else; in a worker thread as the
            # route's decode is (torch in the main thread ran 3x slower than in a worker on the loaded machine)
            decode_alone.append(pool.submit(_timed, data.decode, made.latents).result())
        results[name] = {
            "method": data.maps[name].method, "exact": answer["exact"], "cells": len(answer["cells"]),
            "cell_px": answer["cell"], "voids": sum(c["void"] for c in answer["cells"]),
            "first_call_seconds": first.json()["seconds"],
            "inverse_study_wait_seconds": None if study is None else study_seconds,
            "inverse_study_held_out": None if study is None else study.held_out,
            "server_seconds_median": statistics.median(server), "server_seconds_all": server,
            "wall_seconds_median": statistics.median(wall),
            "baseline_decode_seconds_median": statistics.median(decode_alone),
            "baseline_decode_seconds_all": decode_alone,
        }
    return {"run": str(run), "rows": data.count, "dim": data.dim, "opened_seconds": opened, "maps": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run whose model decodes 64 px images (e.g. zspace demo --full)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "explore_atlas.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    result = measure(args.run, args.repeats)
    result |= {"goal_seconds": 1.0, "n": CELLS, "window": WINDOW, "repeats": args.repeats,
               "load_average_before": load_before, "load_average_after": os.getloadavg(),
               "machine": machine_info()}
    save_json(args.out, result)
    for name, row in result["maps"].items():
        print(f"{name:10s} server {row['server_seconds_median']:.3f} s (wall {row['wall_seconds_median']:.3f} s), "
              f"decode alone {row['baseline_decode_seconds_median']:.3f} s, {row['cells']} cells of "
              f"{row['cell_px']} px, {row['voids']} in voids")
    print(f"load average {load_before[0]:.1f} before, {result['load_average_after'][0]:.1f} after; {args.out}")


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
