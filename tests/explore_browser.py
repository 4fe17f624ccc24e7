"""Helpers for driving the explorer in a real headless Chromium (Playwright): a served app and the gestures.

Playwright's own browser download cannot work offline, so the Debian ``chromium`` is launched
through ``executable_path``; WebGL runs on SwiftShader (no GPU needed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ZSPACE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if chromium_path() is None:
        return "no chromium executable (apt-get install chromium, or set ZSPACE_CHROMIUM)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread; yield its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium():
    """A headless Chromium (one per test module: starting one takes seconds on a loaded CPU)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser, width: int = 1280, height: int = 800):
    """A page of ``browser`` that records its script errors in ``page.errors``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    try:
        yield page
    finally:
        page.close()


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 800):
    with chromium() as browser, new_page(browser, width, height) as page:
        yield page


# The emptiest spot of the canvas: a grid of candidates, the one farthest (in pixels) from every point.
EMPTIEST_SPOT = """() => {
  const z = window.zspace, s = z.state, rect = document.getElementById('map').getBoundingClientRect();
  const step = Math.max(1, Math.floor(s.count / 20000));
  const pts = [];
  for (let i = 0; i < s.count; i += step) pts.push(z.screenOf(i));
  let best = null, bestD = -1;
  for (let gx = 0.15; gx < 0.9; gx += 0.05) for (let gy = 0.15; gy < 0.9; gy += 0.05) {
    const cx = rect.left + gx * rect.width, cy = rect.top + gy * rect.height;
    let d = Infinity;
    for (const [px, py] of pts) d = Math.min(d, Math.hypot(px - cx, py - cy));
    if (d > bestD) { bestD = d; best = [cx, cy]; }
  }
  return {x: best[0], y: best[1], pixels: bestD};
}"""

# A point well inside the canvas to hover: the one nearest the canvas centre.
CENTRAL_POINT = """() => {
  const z = window.zspace, s = z.state, rect = document.getElementById('map').getBoundingClientRect();
  const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2;
  let best = 0, bestD = Infinity;
  const step = Math.max(1, Math.floor(s.count / 200000));
  for (let i = 0; i < s.count; i += step) {
    const [px, py] = z.screenOf(i);
    const d = Math.hypot(px - cx, py - cy);
    if (d < bestD) { bestD = d; best = i; }
  }
  const [x, y] = z.screenOf(best);
  return {index: best, row: s.rows[best], x, y};
}"""


def lasso(page, centre: tuple[float, float], radius: float, steps: int = 24, substeps: int = 2) -> None:
    """Drag a closed circle of ``radius`` pixels around ``centre`` in lasso mode."""
    import math

    page.click("#mode-lasso")
    cx, cy = centre
    page.mouse.move(cx + radius, cy)
    page.mouse.down()
    for k in range(1, steps + 1):
        angle = 2 * math.pi * k / steps
        page.mouse.move(cx + radius * math.cos(angle), cy + radius * math.sin(angle), steps=substeps)
    page.mouse.up()
