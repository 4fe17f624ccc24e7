"""Two runs of the same images in one explorer, in a real headless Chromium (issue 22): the maps side by side,
linked (a lasso, a hover in one map shows the same rows in the other), thumbnails in place of dots once few
points are in view, and a decoded atlas over the visible window.

The runs are two copies of the session's small VAE run (192 images; b's latents are a's plus noise, so
their maps differ). The thumbnail threshold (3,000 points in view) is lowered to 60 by the page's address
(``/?thumbnails=60``) so that the 150 points of the t-SNE map are "many". Every wait is on a page flag.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")

from explore_browser import browser_missing, chromium, lasso, new_page, serve  # noqa: E402
from explore_fixtures import make_explorable_run  # noqa: E402

from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402

MISSING = browser_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
LIMIT = 60

# The map point of panel k nearest its canvas centre, on screen.
CENTRAL = """(k) => {
  const z = window.zspace, p = z.panels[k], s = p.state, r = p.canvas.getBoundingClientRect();
  let best = 0, bestD = Infinity;
  for (let i = 0; i < s.count; i++) {
    const [x, y] = z.screenOf(i, k), d = Math.hypot(x - r.left - r.width / 2, y - r.top - r.height / 2);
    if (d < bestD) { bestD = d; best = i; }
  }
  const [x, y] = z.screenOf(best, k);
  return {index: best, row: s.rows[best], x, y};
}"""

# The overlay's alpha under every map point of panel k inside its canvas: [point, alpha], and the flag.
OVERLAY_UNDER_POINTS = """(k) => {
  const z = window.zspace, p = z.panels[k], s = p.state, c = p.overlay.canvas, r = c.getBoundingClientRect();
  const ratio = c.width / r.width, pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, out = [];
  for (let i = 0; i < s.count; i++) {
    const [x, y] = z.screenOf(i, k), px = Math.round((x - r.left) * ratio), py = Math.round((y - r.top) * ratio);
    if (px >= 0 && py >= 0 && px < c.width && py < c.height) out.push([i, pixels[4 * (py * c.width + px) + 3]]);
  }
  return {points: out, flag: c.dataset.thumbnails};
}"""

SPRITES_FETCHED = "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/sprites/'))"

SETTLED = """(k) => { const o = window.zspace.overlay(k);
  return o.pending === 0 && o.drawnThumbnails === (o.thumbnails ? o.visible : 0); }"""


@pytest.fixture(scope="module")
def linked_url(vae_run, tmp_path_factory):
    a = make_explorable_run(vae_run, tmp_path_factory.mktemp("browser-linked-a"))
    b = make_explorable_run(vae_run, tmp_path_factory.mktemp("browser-linked-b"))
    vectors = np.load(b.latents_file)
    noise = np.random.default_rng(0).normal(0, vectors.std(), vectors.shape).astype(np.float32)
    np.save(b.latents_file, vectors + noise)
    with serve(create_app([open_explorer(a), open_explorer(b)])) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, linked_url):
    with new_page(browser, 1400, 800) as opened:
        opened.goto(f"{linked_url}?thumbnails={LIMIT}")
        opened.wait_for_selector("body[data-ready='1']", timeout=60_000)
        yield opened
        assert opened.errors == []


def test_two_linked_runs_side_by_side(page):
    assert page.evaluate("window.zspace.panels.length") == 2 and page.evaluate("window.zspace.linked")
    assert page.inner_text("#link-bar") == "linked: same 192 images"
    left, right = (page.locator(f"#{name}").bounding_box() for name in ("map", "map-1"))
    assert left["width"] > 300 and right["x"] >= left["x"] + left["width"] - 1  # side by side
    # both copies are folders named "run": told apart by their place
    assert [page.inner_text(f"#panel-head{k} .run-name") for k in ("", "-1")] == ["run (1)", "run (2)"]


def test_a_colour_chosen_while_the_map_loads_is_drawn(page):
    """Map and colour changed in the same moment: regl-scatterplot drops a draw asked while one runs, so the
    page chains them; the last colouring must be the one on screen and no 'Ignoring draw call' appears."""
    page.evaluate("""() => {
      for (const [id, value] of [['map-select-1', 'pca-1-2'], ['colour-select-1', 'agreement']]) {
        const select = document.getElementById(id);
        select.value = value;
        select.dispatchEvent(new Event('change'));
      }
    }""")
    page.wait_for_function("window.zspace.panels[1].state.map === 'pca-1-2' && "
                           "window.zspace.panels[1].state.legend.by === 'agreement'", timeout=60_000)
    page.evaluate("async () => { for (let k = 0; k < 3; k++) await window.zspace.panels[1].drawing; }")
    # Draws asked in one tick (what a fast user does on a big map, where a draw takes a while) all succeed.
    outcomes = page.evaluate("""async () => { const p = window.zspace.panels[1];
      const results = await Promise.allSettled([p.draw(), p.draw(), p.draw()]);
      return results.map((r) => (r.status === 'fulfilled' ? 'ok' : String(r.reason?.message ?? r.reason))); }""")
    assert outcomes == ["ok", "ok", "ok"]
    drawn = page.evaluate("""() => { const p = window.zspace.panels[1];
      return {colours: p.scatterplot.get('pointColor').length, points: p.scatterplot.get('points').length,
              error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent}; }""")
    assert drawn["error"] == ""
    assert drawn["colours"] >= 64  # the agreement ramp, not the split's two colours
    assert drawn["points"] == page.evaluate("window.zspace.panels[1].state.count")


def test_a_lasso_in_one_run_selects_the_same_rows_in_the_other(page):
    point = page.evaluate(CENTRAL, 0)
    lasso(page, (point["x"], point["y"]), 90)
    page.wait_for_function("window.zspace.state.timings.select !== null", timeout=20_000)
    chosen = sorted(page.evaluate("window.zspace.selectedRows(0)"))
    mirrored = sorted(page.evaluate("window.zspace.selectedRows(1)"))
    assert len(chosen) == page.evaluate("window.zspace.state.timings.select.count") > 1
    assert mirrored == chosen  # both t-SNE maps hold the same rows
    page.wait_for_selector("#selection-count-1")
    assert page.inner_text("#selection-count") == page.inner_text("#selection-count-1") == f"{len(chosen):,}"
    assert page.get_attribute("#selection-mean-1", "src").startswith("data:image/png;base64,")


def test_hover_in_one_run_highlights_the_same_row_in_the_other(page):
    point = page.evaluate(CENTRAL, 0)
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.wait_for_function("window.zspace.hoveredRow(0) !== null && window.zspace.hoveredRow(1) !== null",
                           timeout=10_000)
    row = page.evaluate("window.zspace.hoveredRow(0)")
    assert page.evaluate("window.zspace.hoveredRow(1)") == row
    assert page.evaluate("window.zspace.panels[1].state.rows[window.zspace.panels[1].state.linkedHover]") == row
    # and back in the other direction, from a point of run b's map
    other = page.evaluate(CENTRAL, 1)
    page.mouse.move(other["x"] - 40, other["y"] - 40)
    page.mouse.move(other["x"], other["y"], steps=4)
    page.wait_for_function("window.zspace.hoveredRow(1) !== null"
                           " && window.zspace.hoveredRow(0) === window.zspace.hoveredRow(1)", timeout=10_000)


def test_thumbnails_replace_dots_past_the_zoom_threshold(page):
    assert page.evaluate("window.zspace.overlay(0).limit") == LIMIT
    page.wait_for_function(f"(k) => window.zspace.overlay(k).visible > {LIMIT}", arg=0)
    dots = page.evaluate(OVERLAY_UNDER_POINTS, 0)
    assert dots["flag"] == "0" and not page.evaluate("window.zspace.thumbnailsShown(0)")
    assert dots["points"] and all(alpha == 0 for _, alpha in dots["points"])  # dots only: the overlay is blank
    assert page.evaluate(SPRITES_FETCHED) == []  # no sprite tile is fetched before thumbnails are shown

    point = page.evaluate(CENTRAL, 0)
    page.mouse.move(point["x"], point["y"])
    for _ in range(40):  # zoom in (the wheel, at the central point) until few enough points are in view
        if page.evaluate("window.zspace.visibleCount(0)") <= LIMIT // 2:
            break
        page.mouse.wheel(0, -200)
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert 0 < page.evaluate("window.zspace.visibleCount(0)") <= LIMIT
    page.wait_for_function(f"(k) => window.zspace.thumbnailsShown(k) && ({SETTLED})(k)", arg=0, timeout=20_000)
    shown = page.evaluate(OVERLAY_UNDER_POINTS, 0)
    assert shown["flag"] == "1" and shown["points"]
    assert all(alpha > 0 for _, alpha in shown["points"]), "a point in view without its thumbnail over it"
    sprites = page.evaluate(SPRITES_FETCHED)
    assert sprites and all("size=" in url and "run=" not in url for url in sprites)  # run 0's tiles only
    assert not page.evaluate("window.zspace.thumbnailsShown(1)")  # the other map was not zoomed

    for _ in range(40):  # and out again: dots
        if page.evaluate("window.zspace.visibleCount(0)") > LIMIT:
            break
        page.mouse.wheel(0, 200)
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_function("(k) => !window.zspace.thumbnailsShown(k)", arg=0, timeout=10_000)
    page.wait_for_function("(k) => window.zspace.overlay(k).canvas.dataset.thumbnails === '0'", arg=0)
    back = page.evaluate(OVERLAY_UNDER_POINTS, 0)
    assert back["points"] and all(alpha == 0 for _, alpha in back["points"])


def test_the_atlas_lays_n_by_n_decodes_over_the_visible_window(page):
    page.click("#atlas-button")
    page.wait_for_function("[0, 1].every(k => window.zspace.atlas(k).rects.length === 144)", timeout=60_000)
    for k, canvas in ((0, "#map"), (1, "#map-1")):
        box = page.locator(canvas).bounding_box()
        atlas = page.evaluate("(k) => window.zspace.atlas(k)", k)
        assert atlas["n"] == 12 and len(atlas["rects"]) == 144
        rects = atlas["rects"]
        for r in rects:  # every cell inside the window's screen rectangle, none empty
            assert -1 <= r["left"] and r["left"] + r["width"] <= box["width"] + 1 and r["width"] > 1
            assert -1 <= r["top"] and r["top"] + r["height"] <= box["height"] + 1 and r["height"] > 1
        assert min(r["left"] for r in rects) == pytest.approx(0, abs=1)  # together they cover the window
        assert max(r["left"] + r["width"] for r in rects) == pytest.approx(box["width"], abs=1)
        assert min(r["top"] for r in rects) == pytest.approx(0, abs=1)
        assert max(r["top"] + r["height"] for r in rects) == pytest.approx(box["height"], abs=1)
        painted = page.evaluate("""(k) => { const c = window.zspace.overlay(k).canvas;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n / (c.width * c.height); }""", k)
        assert painted > 0.95  # the decoded images cover the map
    text = page.inner_text("#atlas-text")
    assert "12 × 12" in text and "cells in voids" in text
    page.click("#atlas-clear")
    page.wait_for_function("[0, 1].every(k => window.zspace.atlas(k).rects.length === 0)")
    assert not page.is_visible("#atlas-panel")


def test_runs_of_other_images_are_shown_side_by_side_unlinked(browser, linked_url):
    note = "a encoded /x (192 rows), b encoded /y (192 rows): not the same images, so the maps are not linked"

    def unlinked(route):
        response = route.fetch()
        runs = response.json()
        runs.update(linked=False, link_note=note)
        route.fulfill(response=response, json=runs)

    with new_page(browser, 1400, 800) as page:
        page.route("**/api/runs", unlinked)
        page.goto(linked_url)
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        assert page.is_visible("#link-bar") and page.inner_text("#link-bar") == note
        point = page.evaluate(CENTRAL, 0)
        page.mouse.move(point["x"] - 40, point["y"] - 40)
        page.mouse.move(point["x"], point["y"], steps=4)
        page.wait_for_function("window.zspace.hoveredRow(0) !== null", timeout=10_000)
        assert page.evaluate("window.zspace.hoveredRow(1)") is None
        assert page.errors == []
