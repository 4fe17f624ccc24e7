"""Explorer pan/zoom frame times at 1,000,000 and 5,000,000 points, in a real headless Chromium (issue 22, 7).

The run is explore_speed.py's synthetic one (``make_run``: clustered latents, a random-weight VAE,
a saved "t-SNE" map of every row), served by ``zspace explore`` in its own process (create_app over
open_explorer). The latent dimension is small (16 by default): a frame draws the map's 2-D points,
so its cost depends on how many points there are, not on the latent dimension; d only changes
the server's start (the latents are read once) and the disk the synthetic run takes.

In the page (benchmarks/explore_frames.js, evaluated into it), a requestAnimationFrame loop records
every frame's timestamp, and regl-scatterplot's "draw" event every redraw of a map. Five phases, each
``--seconds`` long and then on until the map was redrawn ``--redraws`` times (at 5M points a redraw
can take seconds), never past ``--most`` seconds: idle (no input: the baseline, measured in the same
page), pan (a mouse drag in circles, one move per 16.7 ms, each waiting for the page to take it),
zoom (mouse-wheel steps, in then out, one per 16.7 ms), camera (no input: the page moves the map's
camera itself on every frame, so each frame is one full redraw; a gesture's cost beyond drawing is
the difference) and thumbnails (zoomed onto the densest spot until at most 2,000 points are in
view, where the page draws each point's thumbnail in place of its dot (issue 22, 2), a small
circular drag; skipped on a page without thumbnails). Per phase: frames, the intervals between
consecutive frames (median, p95, max), redraws and the intervals between them (how often the
picture moves), the browser's CPU seconds (all its processes: a cost that other jobs on a shared machine
inflate less than the wall clock), and ratios to idle's frame interval. Hover, click and lasso at
1M x 256 are quoted from benchmarks/results/explore_speed.json (not measured again here).

    python benchmarks/explore_frames.py [--points 1000000,5000000] [--dim 16] [--seconds 4]
    python benchmarks/explore_frames.py --points 20000 --seconds 1      # smoke run, under a minute

Synthetic runs are kept in --work (default /tmp/zspace-frames-bench) and reused. The result goes to
benchmarks/results/explore_frames.json for the default --points, else to WORK/explore_frames.json
(a smoke run never overwrites the published numbers); --out chooses another file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from explore_browser import browser_page, free_port  # noqa: E402
from explore_speed import make_run, start_server  # noqa: E402
from machine import machine_info  # noqa: E402

DEFAULT_POINTS = "1000000,5000000"
RESULTS = Path(__file__).parent / "results"
REPO = Path(__file__).parent.parent
EXPLORER = "src/zspace/explore"
THUMBNAILS_IN_VIEW = 2000  # the thumbnail phase zooms until at most this many points are in view (limit 3,000)
INPUT_PERIOD_S = 1 / 60  # one mouse move or wheel step per display frame, like a real mouse or trackpad

PAGE_CODE = Path(__file__).with_suffix(".js")  # window.__bench: the recorder and gestures run in the page


def footprint(rows: int, dim: int) -> int:
    """Bytes the synthetic run takes on disk: 32 px RGB images, latents, the map, the index (about)."""
    return rows * (32 * 32 * 3 + 4 * dim + 8 + 60)


def check_room(work: Path, rows: int, dim: int) -> dict:
    """Refuse before writing when the disk or the memory cannot hold the run; what was there, in GB."""
    folder = work / f"{rows}x{dim}"
    need = 0 if (folder / "complete").is_file() else footprint(rows, dim)
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free
    available = _mem_available()
    # the browser holds about 12 B/point of map, 20 of spatial index and its WebGL copies; the server as much
    memory = rows * 200
    if need * 1.2 > free:
        raise SystemExit(f"{folder}: the synthetic run needs about {need / 1e9:.1f} GB and {free / 1e9:.1f} GB "
                         "are free; free some disk or choose another --work")
    if available is not None and memory > available:
        raise SystemExit(f"{rows:,} points need about {memory / 1e9:.1f} GB of memory and "
                         f"{available / 1e9:.1f} GB are available; try fewer --points")
    return {"disk_needed_gb": need / 1e9, "disk_free_gb": free / 1e9, "memory_needed_gb": memory / 1e9,
            "memory_available_gb": None if available is None else available / 1e9}


def _mem_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@dataclass(frozen=True)
class Budget:
    """How long a phase lasts: ``seconds``, then on until the map was redrawn ``redraws`` times (a slow map
    may redraw once a second), but never past ``most`` seconds."""

    seconds: float
    redraws: int = 6
    most: float = 30.0


def redraws_since(page, mark_name: str) -> int:
    return page.evaluate("(name) => window.__bench.redrawsSince(name)", mark_name)


def paced(page, budget: Budget, mark_name: str):
    """Yield the elapsed time once per input period while the phase lasts (skipping periods the page was
    late for: each input waits for the page to take it)."""
    started = time.monotonic()
    tick = 0
    while (elapsed := time.monotonic() - started) < budget.most and (
            elapsed < budget.seconds or redraws_since(page, mark_name) < budget.redraws):
        yield elapsed
        tick = max(tick + 1, math.floor(elapsed / INPUT_PERIOD_S) + 1)
        time.sleep(max(0.0, started + tick * INPUT_PERIOD_S - time.monotonic()))


def browser_cpu_s() -> float:
    """CPU seconds (user + system) used so far by the Chromium processes this process started (the
    browser, its GPU process where SwiftShader draws, the renderer): per redraw, a cost the other jobs
    on a shared machine slow down less than they slow the wall clock."""
    parents, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
        if name.startswith(("chromium", "chrome")):
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    me, total = os.getpid(), 0.0
    for pid, seconds in cpu.items():
        ancestor = pid
        while ancestor > 1 and ancestor != me:
            ancestor = parents.get(ancestor, 1)
        total += seconds if ancestor == me else 0.0
    return total


def mark(page, name: str, cpu: dict[str, float]) -> None:
    """A named moment: in the page (performance.now()) and here (the browser's CPU seconds)."""
    page.evaluate("(name) => window.__bench.mark(name)", name)
    cpu[name] = browser_cpu_s()


def pan(page, centre: tuple[float, float], budget: Budget, mark_name: str, radius: float = 120.0) -> int:
    """Drag the map in circles (one turn a second) for the phase; the number of moves sent."""
    cx, cy = centre
    page.mouse.move(cx, cy)
    page.mouse.down()
    moves = 0
    for elapsed in paced(page, budget, mark_name):
        angle = 2 * math.pi * elapsed
        page.mouse.move(cx + radius * (math.cos(angle) - 1), cy + radius * math.sin(angle))
        moves += 1
    page.mouse.move(cx + 60, cy + 60)  # end away from the start: a drag, never a click (which would decode)
    page.mouse.up()
    return moves


def zoom(page, centre: tuple[float, float], budget: Budget, mark_name: str, step: float = 60.0) -> int:
    """Wheel steps at ``centre``: in for half a second, out for the next, for the phase; steps sent."""
    page.mouse.move(*centre)
    steps = 0
    for elapsed in paced(page, budget, mark_name):
        page.mouse.wheel(0, -step if int(elapsed * 2) % 2 == 0 else step)
        steps += 1
    return steps


def spread(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "median": statistics.median(values),
            "p95": float(np.percentile(values, 95)), "max": max(values)}


def phase_stats(record: dict, start: float, end: float, cpu_s: float) -> dict:
    """Frames and redraws between two marks: counts, per-second rates, interval statistics in ms.

    ``frame_interval_ms`` spans every animation frame, those that only repaint the page too (a frame
    that submits a redraw can be short: the software GPU's work then stalls the next one);
    ``redraw_interval_ms``, the time between consecutive redraws of the map, is how often the picture
    moves during a gesture (each gesture step asks for a redraw);
    ``browser_cpu_s`` the CPU the browser used meanwhile (all its processes, so more than the wall
    clock when they run on both cores).
    """
    frames = np.array([t for t in record["frames"] if start <= t <= end])
    draws = np.array([t for t in record["draws"] if start <= t <= end])
    seconds = (end - start) / 1000
    out = {"seconds": seconds, "browser_cpu_s": cpu_s, "frames": len(frames), "frames_per_s": len(frames) / seconds,
           "frame_interval_ms": spread(np.diff(frames).tolist())}
    if record.get("drawsCounted"):
        out.update(redraws=len(draws), redraws_per_s=len(draws) / seconds,
                   redraw_interval_ms=spread(np.diff(draws).tolist()),
                   browser_cpu_ms_per_redraw=1000 * cpu_s / len(draws) if len(draws) else None)
    return out


def with_ratios(phase: dict, idle: dict) -> dict:
    """Add the phase's frame intervals (median, p95) and median redraw interval over idle's frame interval."""
    mine, base = phase["frame_interval_ms"], idle["frame_interval_ms"]
    if mine.get("count") and base.get("count"):
        ratios = {"median": mine["median"] / base["median"], "p95": mine["p95"] / base["p95"]}
        if phase.get("redraw_interval_ms", {}).get("count"):
            ratios["redraw_interval_median"] = phase["redraw_interval_ms"]["median"] / base["median"]
        phase["ratio_to_idle"] = ratios
    return phase


def wait_ready(page, timeout_s: float) -> None:
    """Wait for the page's ready flag; fail at once (with what the page said) when it reports an error."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("() => document.body.dataset.ready === '1'"):
        shown = page.evaluate("() => { const e = document.getElementById('error'); return e && !e.hidden ? "
                              "e.textContent : ''; }")
        if shown or page.errors or time.monotonic() > deadline:
            raise RuntimeError(f"the page is not ready ({time.monotonic() - deadline + timeout_s:.0f} s after "
                               f"loading); its error box: {shown!r}; page errors: {page.errors}")
        page.wait_for_timeout(250)


def settle_thumbnails(page, view: dict, most_s: float) -> bool:
    """Wait (at most ``most_s``) for the sprite tiles of the view, which the page fetches once the camera is
    still; with rows scattered over the map nearly every thumbnail needs its own tile, so some may stay
    dots. Records what was shown in ``view``; False when the page never switched to thumbnails."""
    deadline = time.monotonic() + most_s
    while True:
        state = page.evaluate("window.__bench.thumbnailState()")
        if (state["shown"] and state["pending"] == 0) or time.monotonic() > deadline:
            view.update(state, waited_for_tiles_s=most_s - (deadline - time.monotonic()))
            return bool(state["shown"])
        page.wait_for_timeout(250)


def measure(url: str, shots: Path, points: int, budget: Budget, load_timeout_s: float) -> dict:
    """Load the page, then the idle, pan, zoom, camera and thumbnail-pan phases; the statistics, the renderer."""
    with browser_page() as page:
        started = time.monotonic()
        page.goto(url)
        wait_ready(page, load_timeout_s)
        page.evaluate(PAGE_CODE.read_text())
        loaded = time.monotonic() - started
        out: dict = {"loaded_wall_s": loaded, "renderer": page.evaluate("window.__bench.renderer()")}
        page.wait_for_timeout(1500)  # settle: nothing the page started while loading is still drawing
        rect = page.evaluate("() => { const r = document.getElementById('map').getBoundingClientRect();"
                             " return [r.left + r.width / 2, r.top + r.height / 2]; }")
        centre = (rect[0], rect[1])
        page.evaluate("window.__bench.record()")
        phases, cpu = ["pan", "zoom"], {}
        mark(page, "idle", cpu)
        page.wait_for_timeout(budget.seconds * 1000)  # the baseline: frames with no input at all
        mark(page, "pan", cpu)
        out["pan_moves"] = pan(page, centre, budget, "pan")
        mark(page, "pan_end", cpu)
        page.screenshot(path=str(shots / f"frames_{points}_pan.png"))
        page.wait_for_timeout(500)  # the last frames of the drag are drawn before the zoom starts
        mark(page, "zoom", cpu)
        out["zoom_steps"] = zoom(page, centre, budget, "zoom")
        mark(page, "zoom_end", cpu)
        page.screenshot(path=str(shots / f"frames_{points}_zoom.png"))
        page.wait_for_timeout(500)
        mark(page, "camera", cpu)
        if page.evaluate("(args) => window.__bench.cameraLoop(args)",
                         [budget.seconds * 1000, budget.redraws, budget.most * 1000]):
            phases.append("camera")
        mark(page, "camera_end", cpu)
        out["thumbnails_view"] = page.evaluate("(want) => window.__bench.zoomToThumbnails(want)", THUMBNAILS_IN_VIEW)
        if out["thumbnails_view"] is not None and settle_thumbnails(page, out["thumbnails_view"], budget.most):
            mark(page, "thumbnails", cpu)
            out["thumbnails_moves"] = pan(page, centre, budget, "thumbnails", radius=40.0)
            mark(page, "thumbnails_end", cpu)
            page.screenshot(path=str(shots / f"frames_{points}_thumbnails.png"))
            phases.append("thumbnails")
        record = page.evaluate("window.__bench.result()")
        marks = record["marks"]
        out["idle"] = idle = phase_stats(record, marks["idle"], marks["pan"], cpu["pan"] - cpu["idle"])
        for phase in phases:
            stats = phase_stats(record, marks[phase], marks[f"{phase}_end"], cpu[f"{phase}_end"] - cpu[phase])
            out[phase] = with_ratios(stats, idle)
        out["redraws_counted"] = bool(record.get("drawsCounted"))
        out["page_errors"] = list(page.errors)
    return out


def bench_one(work: Path, points: int, dim: int, budget: Budget) -> dict:
    room = check_room(work, points, dim)
    made = time.monotonic()
    run = make_run(work / f"{points}x{dim}", points, dim)
    made = time.monotonic() - made
    shots = work / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process, start_s = start_server(run, port)
    try:
        timings = measure(f"http://127.0.0.1:{port}/", shots, points, budget,
                          load_timeout_s=max(120.0, points / 5_000))
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {"points": points, "dim": dim, "synthetic_run_s": made, "server_start_s": start_s, "room": room,
            **timings}


def static_state() -> dict:
    """What the numbers were measured against: the commit, the explorer package's uncommitted change
    (git diff --stat, untracked files) and a fingerprint of each of the page's files, to re-run it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    static = REPO / EXPLORER / "static"
    return {"commit": git("rev-parse", "HEAD"), "diff_stat": git("diff", "--stat", "HEAD", "--", EXPLORER),
            "untracked": git("ls-files", "--others", "--exclude-standard", "--", EXPLORER).splitlines(),
            "page_files_sha256": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                                  for path in sorted(static.glob("*")) if path.is_file()}}


def quoted_interactions() -> dict | None:
    """Hover, click and lasso from explore_speed.py's last result, quoted as they are (not re-measured)."""
    source = RESULTS / "explore_speed.json"
    if not source.is_file():
        return None
    speed = json.loads(source.read_text())
    keep = ("rows", "dim", "hover_ms", "click_ms", "lasso_count", "lasso_ms", "goals", "load_average_before")
    return {"source": str(source.relative_to(REPO)), **{k: speed[k] for k in keep if k in speed}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", default=DEFAULT_POINTS, help="comma-separated sizes")
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each phase")
    parser.add_argument("--redraws", type=int, default=6, help="a phase goes on until the map was redrawn so often")
    parser.add_argument("--most", type=float, default=30.0, help="but never longer than this many seconds")
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-frames-bench"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(p) for p in args.points.replace("_", "").split(",") if p.strip()]
    out = args.out or (RESULTS / "explore_frames.json" if args.points == DEFAULT_POINTS
                       else args.work / "explore_frames.json")

    load_before = list(os.getloadavg())
    runs = []
    for points in sizes:
        runs.append(bench_one(args.work, points, args.dim, Budget(args.seconds, args.redraws, args.most)))
        print(json.dumps(_summary(runs[-1])), flush=True)
    load_after = list(os.getloadavg())
    busy = max(load_before[0], load_after[0]) > 3
    result = {
        "runs": runs, "phase": {"seconds": args.seconds, "redraws_at_least": args.redraws, "most_seconds": args.most},
        "input_period_ms": INPUT_PERIOD_S * 1000,
        "page_code": static_state(), "interactions_quoted": quoted_interactions(),
        "machine": machine_info(), "load_average_before": load_before, "load_average_after": load_after,
        "note": ("2 shared cores; Chromium headless, WebGL on SwiftShader (software: every frame is drawn by "
                 "the CPU), 1280x800 viewport"
                 + ("; load average above 3 during the run: the numbers are pessimistic" if busy else "")),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {out}")


def _summary(run: dict) -> dict:
    def brief(phase: dict) -> dict:
        def rounded(stats: dict | None) -> list:
            return [round(stats[k], 1) for k in ("median", "p95", "max")] if stats and stats.get("count") else []

        return {"frames_per_s": round(phase["frames_per_s"], 1), "frame_ms": rounded(phase["frame_interval_ms"]),
                "redraws_per_s": round(phase.get("redraws_per_s", 0), 2),
                "redraw_interval_ms": rounded(phase.get("redraw_interval_ms")),
                "cpu_s": round(phase["browser_cpu_s"], 2)}

    return {"points": run["points"], "renderer": run["renderer"]["renderer"], "idle": brief(run["idle"]),
            **{phase: brief(run[phase]) for phase in ("pan", "zoom", "camera", "thumbnails") if phase in run},
            "errors": run["page_errors"]}


if __name__ == "__main__":
    main()
