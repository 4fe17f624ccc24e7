// zspace explorer: one map per run side by side (regl-scatterplot, WebGL), linked when the runs encoded the
// same images: hover, lasso and click in one panel show the same rows in the others. Hover, click-to-decode,
// lasso, neighbours, thumbnails in place of dots and a decoded atlas (see panel.js, overlay.js, side.js).
"use strict";

const explorer = { panels: [], runs: null, linked: false, mode: "panZoom" };

// -- linking: a row is the same image in every linked run; each map may hold its own subset of rows ------
function others(p) { return explorer.linked ? explorer.panels.filter((q) => q !== p) : []; }

const hooks = {
  onHover(p, i) {
    hoverCard(p, i);
    refresh(p);
    const row = p.state.rows[i];
    for (const q of others(p)) {
      const j = q.pointOf(row);
      q.state.linkedHover = j >= 0 ? j : null;
      q.scatterplot.hover(j, { preventEvent: true });
      refresh(q);
    }
  },
  onOut(p) {
    $("hover-card").hidden = true;
    refresh(p);
    for (const q of others(p)) { q.state.linkedHover = null; q.scatterplot.hover(-1, { preventEvent: true }); refresh(q); }
  },
  onSelect(p, points) {
    if (!points.length) return;
    const choices = [{ panel: p, points }];
    const rows = others(p).length ? Array.from(points, (i) => p.state.rows[i]) : [];
    for (const q of others(p)) {
      const ids = rows.map((r) => q.pointOf(r)).filter((j) => j >= 0);
      q.scatterplot.select(ids, { preventEvent: true });
      if (ids.length) choices.push({ panel: q, points: ids });
      refresh(q, true);
    }
    refresh(p, true);
    showSelection(choices);
  },
  onClick(p, event) {
    const s = p.state;
    if (explorer.mode !== "panZoom" || !s.down) return;
    const moved = Math.hypot(event.clientX - s.down[0], event.clientY - s.down[1]);
    if (moved > 4) return; // a drag (pan), not a click
    if (s.hovered === null) { decodeAt(p, ...p.toData(event.clientX, event.clientY)); return; }
    const row = s.rows[s.hovered];
    showPoint(p, row);
    for (const q of others(p)) {
      const j = q.pointOf(row);
      q.scatterplot.select(j >= 0 ? [j] : [], { preventEvent: true });
      refresh(q, true);
    }
    refresh(p, true);
  },
  onView(p) { p.overlay?.schedule(); },
  onDeselect(p) {
    refresh(p, true);
    for (const q of others(p)) { q.scatterplot.deselect({ preventEvent: true }); refresh(q, true); }
  },
  onMapChange(p) {
    $("selection-panel").hidden = true;
    for (const q of others(p)) q.scatterplot.deselect({ preventEvent: true });
    if (p.overlay) { p.overlay.atlas = null; p.overlay.decoded = null; }
  },
};

// Thumbnails on a map cover its dots, so the overlay redraws the hover and selection marks itself (and
// rings a few selected dots).
function refresh(p, selection = false) {
  if (!p.overlay || !(selection || p.overlay.thumbnails)) return;
  if (selection) p.overlay.selected = null;
  p.overlay.schedule();
}

function setMode(mode) {
  explorer.mode = mode;
  for (const p of explorer.panels) p.scatterplot.set({ mouseMode: mode });
  $("mode-pan").classList.toggle("active", mode === "panZoom");
  $("mode-lasso").classList.toggle("active", mode === "lasso");
}

// -- the page: run 0 uses the blocks written in index.html, run k a copy of each ("<id>-k") ----------
function buildPanels(runs) {
  const several = runs.length > 1;
  document.body.classList.toggle("several", several);
  for (let k = 1; k < runs.length; k++) {
    for (const id of ["panel", "legend-block", "run-info"]) {
      const block = $(id), copy = cloneFor(block, k);
      let last = block;
      while (last.nextElementSibling?.id?.startsWith(`${id}-`)) last = last.nextElementSibling;
      last.after(copy);
    }
  }
  if (several) { // the map and colour selects go above each map, the run's name with them
    $("controls").hidden = true;
    for (let k = 0; k < runs.length; k++) {
      const head = $(k ? `panel-head-${k}` : "panel-head");
      head.hidden = false;
      const controls = k ? cloneFor($("run-controls"), k) : $("run-controls");
      head.replaceChildren(el("b", { className: "run-name", textContent: explorer.panels[k].label }), controls);
    }
  }
  const bar = $("link-bar");
  bar.hidden = !several;
  bar.className = explorer.linked ? "linked" : "unlinked";
  bar.textContent = explorer.linked ? `linked: same ${runs[0].count.toLocaleString()} images` : explorer.runs.link_note;
}

function fillRun(p) {
  const info = p.info;
  if (p.k === 0) $("run-name").textContent = explorer.panels.map((q) => q.label).join(" · ");
  for (const n of [p.$("run-tag"), p.$("legend-tag")]) if (n) n.textContent = explorer.panels.length > 1 ? p.label : "";
  fillList(p.$("headline"), info.headline.map((h) => [h.name, h.value]));
  const links = [];
  const report = apiUrl("/report", p.k);
  if (info.report) links.push(el("a", { href: report, target: "_blank", textContent: "open the run's report" }));
  for (const f of info.figures) links.push(" ", el("a", { href: apiUrl(`/figures/${encodeURIComponent(f)}`, p.k), target: "_blank", textContent: f }));
  p.$("links").replaceChildren(...links);
  p.$("notes").replaceChildren(...info.notes.map((n) => el("li", { textContent: n })));
}

async function main() {
  try {
    const runs = getJSON("/api/runs").catch(() => null); // asked beside /api/info, not after it
    const first = await getJSON("/api/info");
    // The first map and its colours download while WebGL starts (errors are reported in loadMap).
    const p0 = new Panel(0, first, hooks);
    const map0 = p0.fetchMap(first.default_map), colours0 = p0.fetchColours(first.default_map, first.default_colour);
    map0.catch(() => {});
    colours0.catch(() => {});
    explorer.runs = (await runs) ?? { // a server of one run that predates /api/runs
      runs: [{ index: 0, name: first.run, count: first.count, dim: first.dim }], linked: false, link_note: "" };
    explorer.linked = explorer.runs.linked && explorer.runs.runs.length > 1;
    const infos = [first, ...(await Promise.all(explorer.runs.runs.slice(1).map((r) => getJSON(apiUrl("/api/info", r.index)))))];
    explorer.panels = infos.map((info, k) => (k ? new Panel(k, info, hooks) : p0));
    for (const p of explorer.panels) { // two runs of one name (two folders "run") are told apart by their place
      p.label = infos.filter((i) => i.run === p.info.run).length > 1 ? `${p.info.run} (${p.k + 1})` : p.info.run;
    }
    buildPanels(explorer.runs.runs);
    document.title = `zspace explorer · ${explorer.panels.map((p) => p.label).join(" · ")}`;
    for (const p of explorer.panels) {
      fillRun(p);
      p.fillControls();
      p.createPlot();
      p.overlay = new Overlay(p);
    }
    $("mode-pan").addEventListener("click", () => setMode("panZoom"));
    $("mode-lasso").addEventListener("click", () => setMode("lasso"));
    $("atlas-button").addEventListener("click", () => decodeWindow(explorer.panels));
    $("atlas-clear").addEventListener("click", () => {
      for (const p of explorer.panels) { p.overlay.atlas = null; p.overlay.redraw(false); }
      $("atlas-panel").hidden = true;
    });
    window.addEventListener("resize", () => explorer.panels.forEach((p) => p.overlay.schedule()));
    await Promise.all(explorer.panels.map((p) => (p.k ? p.loadMap(p.info.default_map) : p.loadMap(first.default_map, map0, colours0))));
    p0.state.timings.ready = performance.now();
    document.body.dataset.ready = "1";
  } catch (err) { showError(err); }
}

// What the tests and the benchmark read: run 0's state and camera as before, and every panel's.
const panelOf = (k) => explorer.panels[k];
window.zspace = {
  get state() { return explorer.panels[0]?.state; },
  get panels() { return explorer.panels; },
  get linked() { return explorer.linked; },
  screenOf: (i, k = 0) => panelOf(k).screenOf(i),
  toData: (x, y, k = 0) => panelOf(k).toData(x, y),
  decodeAt: (x, y, k = 0) => decodeAt(panelOf(k), x, y),
  setMode,
  decodeWindow: (n = 12) => decodeWindow(explorer.panels, n),
  visibleCount: (k = 0) => { const p = panelOf(k), [x0, y0, x1, y1] = p.window(); return pointsInWindow(p.state.tree, x0, y0, x1, y1).length; },
  thumbnailsShown: (k = 0) => panelOf(k).overlay.thumbnails,
  overlay: (k = 0) => panelOf(k).overlay,
  atlas: (k = 0) => ({ n: panelOf(k).overlay.atlas?.n ?? 0, rects: panelOf(k).overlay.atlasRects }),
  selectedRows: (k = 0) => { const p = panelOf(k); return p.scatterplot.get("selectedPoints").map((i) => p.state.rows[i]); },
  hoveredRow: (k = 0) => { const p = panelOf(k), i = p.scatterplot.get("hoveredPoint"); return i >= 0 ? p.state.rows[i] : null; },
};
main();
