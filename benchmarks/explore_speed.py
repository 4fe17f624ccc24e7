"""Explorer speed with 1,000,000 points x 256 dims, measured in a real headless Chromium (issue 15).

Goals: server start under 10 s after analysis; first paint under 3 s; hover -> thumbnail under
100 ms; click -> decoded image under 300 ms; lasso of 100,000 points -> mean decode under 500 ms.

The run is synthetic: clustered random latents, a random-weight VAE decoder (32 px, latent_dim
256), an image cache of 1,000 synthetic faces repeated to N rows, and a saved "t-SNE" map of all
N rows (cluster layout + noise, what analyze would have written) with the PCA axes analyze saves.
Browser timings are taken inside the page: from the input event (mousemove, click, mouseup) to
the image's load event. Result: benchmarks/results/explore_speed.json.

    python benchmarks/explore_speed.py [--rows 1000000] [--dim 256] [--work /tmp/zspace-explore-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from machine import machine_info  # noqa: E402

from zspace.config import TrainConfig, save_config  # noqa: E402
from zspace.data.index_table import write_index  # noqa: E402
from zspace.io import create_npy, save_json  # noqa: E402
from zspace.run import Run  # noqa: E402

CLUSTERS = 10
INPUT_TIMES = """() => { window.__input = {};
  for (const kind of ['mousemove', 'click', 'mouseup'])
    window.addEventListener(kind, () => (window.__input[kind] = performance.now()), true); }"""


def make_run(folder: Path, rows: int, dim: int, seed: int = 0) -> Run:
    """The synthetic run (made once; kept in ``folder`` for the next time)."""
    import torch

    from zspace.analysis.pca import pca_from_covariance
    from zspace.analysis.result import AnalysisResult
    from zspace.analysis.tsne import EmbeddingMap
    from zspace.data.synthetic_faces import synthetic_faces_source
    from zspace.models.architectures import model_config
    from zspace.models.autoencoder import build_model
    from zspace.models.weights import save_weights
    from zspace.results import write_fields

    run = Run(folder / "run")
    if (folder / "complete").is_file():
        return run
    rng = np.random.default_rng(seed)
    cache = folder / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    bank = synthetic_faces_source(count=1000, size=32, seed=seed)
    faces = bank.read(0, 1000)  # (1000, 32, 32, 3)
    images = create_npy(cache / "images.npy", (rows, 32, 32, 3), np.uint8)
    for start in range(0, rows, 100_000):
        stop = min(start + 100_000, rows)
        images[start:stop] = faces[np.arange(start, stop) % 1000]
    images.flush()
    labels = rng.integers(0, CLUSTERS, rows)
    names = np.array([f"cluster-{k}" for k in range(CLUSTERS)])
    write_index(cache / "index.csv", {"source_id": np.array([f"img-{i}" for i in range(rows)]),
                                      "split": np.where(rng.random(rows) < 0.1, "val", "train"),
                                      "label": labels, "label_name": names[labels]})
    save_json(cache / "dataset.json", {"source": "bench", "size": 32, "count": rows, "channels": 3})

    run.path.mkdir(parents=True, exist_ok=True)
    config = model_config("small", model="vae", image_size=32, channels=3, latent_dim=dim, filters=(32, 64, 64, 64))
    torch.manual_seed(seed)
    save_weights(run.model_file, build_model(config))
    save_config(run.config_file, config)
    save_config(run.train_config_file, TrainConfig(data=str(cache), epochs=1, batch_size=32, seed=seed))
    centres = rng.normal(0, 1.5, (CLUSTERS, dim)).astype(np.float32)
    layout = rng.normal(0, 20, (CLUSTERS, 2))
    vectors = create_npy(run.latents_file, (rows, dim), np.float32)
    tsne = np.empty((rows, 2), np.float32)
    for start in range(0, rows, 100_000):
        stop = min(start + 100_000, rows)
        vectors[start:stop] = centres[labels[start:stop]] + rng.standard_normal((stop - start, dim), np.float32)
        tsne[start:stop] = layout[labels[start:stop]] + rng.normal(0, 3, (stop - start, 2))
    vectors.flush()
    save_json(run.latents_meta_file, {"count": rows, "dim": dim, "data": str(cache)})
    analysis = run.analysis_dir
    analysis.mkdir(exist_ok=True)
    sample = np.asarray(vectors[:: max(1, rows // 200_000)], dtype=np.float64)
    pca = pca_from_covariance(sample.mean(0), np.cov(sample, rowvar=False))
    tsne_map = EmbeddingMap("tsne", np.arange(rows, dtype=np.int64), tsne, 0, {})
    write_fields(AnalysisResult, analysis, {"count": rows, "dim": dim, "pca": pca, "maps": [tsne_map]})
    (folder / "complete").write_text("ok\n")
    return run


def start_server(run: Run, port: int) -> tuple[subprocess.Popen, float]:
    """`zspace explore RUN` in a new process; seconds until /api/info answers."""
    code = ("import sys, typer; from zspace.cli.explore import explore; app = typer.Typer(); "
            "app.command()(explore); app(sys.argv[1:])")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", code, str(run.path), "--port", str(port)])
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=1) as response:
                if response.status == 200:
                    return process, time.monotonic() - started
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the explorer exited before answering") from None
            time.sleep(0.05)


def wait_timing(page, name: str, timeout: float = 30_000) -> dict:
    page.wait_for_function(f"window.zspace.state.timings.{name} !== null", timeout=timeout)
    return page.evaluate(f"window.zspace.state.timings.{name}")


def browser_timings(url: str, shots: Path, hovers: int, clicks: int, lasso_points: int) -> dict:
    from explore_browser import EMPTIEST_SPOT, browser_page, lasso

    out: dict = {}
    with browser_page() as page:
        started = time.monotonic()
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        out["loaded_wall_s"] = time.monotonic() - started
        out["first_paint_s"] = page.evaluate("window.zspace.state.timings.paint") / 1000  # since navigation
        out["colours_drawn_s"] = page.evaluate("window.zspace.state.timings.ready") / 1000
        out["load_breakdown_ms"] = page.evaluate("window.zspace.state.timings.load")
        page.wait_for_timeout(1500)  # the spatial index is built in a worker after the first draw
        page.screenshot(path=str(shots / "explore_bench_loaded.png"))
        page.evaluate(INPUT_TIMES)

        hover_ms = []
        rng = np.random.default_rng(0)
        candidates = page.evaluate("""(n) => { const z = window.zspace, out = [];
            for (let i = 0; i < n; i++) { const k = Math.floor(Math.random() * z.state.count);
              out.push(z.screenOf(k)); } return out; }""", hovers * 3)
        for x, y in candidates:
            if len(hover_ms) >= hovers:
                break
            page.mouse.move(x + 40, y + 40)
            page.evaluate("window.zspace.state.timings.hover = null")
            page.mouse.move(x, y)
            try:
                # a hover raised by this last move (the move away may have hovered another point)
                page.wait_for_function("""() => { const t = window.zspace.state.timings.hover;
                    return t !== null && t.start >= window.__input.mousemove; }""", timeout=3000)
            except Exception:
                continue  # the point was covered by another: no new hover
            end = page.evaluate("window.zspace.state.timings.hover.end")
            hover_ms.append(end - page.evaluate("window.__input.mousemove"))
        page.screenshot(path=str(shots / "explore_bench_hover.png"))
        out["hover_ms"] = _stats(hover_ms)

        click_ms, voids = [], 0
        for k in range(clicks):
            spot = page.evaluate(EMPTIEST_SPOT) if k == 0 else {"x": 300 + rng.uniform(0, 600),
                                                                 "y": 100 + rng.uniform(0, 600)}
            page.mouse.move(spot["x"], spot["y"])
            page.evaluate("window.zspace.state.hovered = null; window.zspace.state.timings.click = null")
            page.mouse.click(spot["x"], spot["y"])
            timing = wait_timing(page, "click")
            click_ms.append(timing["end"] - page.evaluate("window.__input.click"))
            voids += bool(timing["void"])
        page.screenshot(path=str(shots / "explore_bench_click.png"))
        out["click_ms"] = _stats(click_ms)
        out["click_voids"] = voids

        circle = page.evaluate("""(want) => { const z = window.zspace, s = z.state;
            const rect = document.getElementById('map').getBoundingClientRect();
            const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2;
            const d = new Float32Array(s.count);
            for (let i = 0; i < s.count; i++) { const [x, y] = z.screenOf(i); d[i] = Math.hypot(x - cx, y - cy); }
            d.sort(); return {x: cx, y: cy, r: d[Math.min(want, s.count - 1)]}; }""", lasso_points)
        page.evaluate("window.zspace.state.timings.select = null")
        lasso(page, (circle["x"], circle["y"]), circle["r"], steps=16, substeps=1)
        timing = wait_timing(page, "select", timeout=120_000)
        out["lasso_count"] = timing["count"]
        out["lasso_ms"] = timing["end"] - page.evaluate("window.__input.mouseup")
        out["lasso_breakdown_ms"] = {  # mouse-up -> selection event (regl-scatterplot), the request, the image
            "to_select_event": timing["start"] - page.evaluate("window.__input.mouseup"),
            "request": timing["request"], "select_event_to_image": timing["ms"]}
        page.screenshot(path=str(shots / "explore_bench_lasso.png"))
        out["page_errors"] = list(page.errors)
    return out


def _stats(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "median": statistics.median(values), "max": max(values),
            "p90": float(np.percentile(values, 90))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-explore-bench"))
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--hovers", type=int, default=20)
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--lasso", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "explore_speed.json")
    args = parser.parse_args()

    load_before = list(os.getloadavg())
    made = time.monotonic()
    run = make_run(args.work / f"{args.rows}x{args.dim}", args.rows, args.dim)
    made = time.monotonic() - made
    shots = args.work / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    process, start_s = start_server(run, args.port)
    try:
        browser = browser_timings(f"http://127.0.0.1:{args.port}/", shots, args.hovers, args.clicks, args.lasso)
    finally:
        process.terminate()
        process.wait(timeout=30)
    result = {
        "rows": args.rows, "dim": args.dim, "synthetic_run_s": made, "server_start_s": start_s, **browser,
        "goals": {"server_start_s": 10, "first_paint_s": 3, "hover_ms": 100, "click_ms": 300, "lasso_ms": 500},
        "screenshots": str(shots), "machine": machine_info(),
        "load_average_before": load_before, "load_average_after": list(os.getloadavg()),
        "note": "2 cores (see the load averages for other jobs); Chromium headless with SwiftShader "
                "(software WebGL); page cache warm (the synthetic run was just written or read)",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
