// The side panels: the hover card, point details, decodes (click and atlas) and selections, per run.
"use strict";

const several = () => window.zspace.panels.length > 1;
const runTag = (p) => (several() ? ` — ${p.label}` : "");

function thumb(row, caption, k = 0) {
  const img = el("img", { src: apiUrl(`/api/thumb/${row}.png`, k), alt: `row ${row}`, title: `row ${row}` });
  img.addEventListener("click", () => showPoint(window.zspace.panels[k], row));
  return el("figure", {}, [img, el("figcaption", { textContent: caption ?? `${row}` })]);
}

// The inverses of explore/inverse_methods.py, in words.
const INVERSE_WORDS = { local_linear: "local linear fit", idw: "inverse-distance mix", kernel: "Gaussian-kernel mix" };

// What a decode away from the data may be off by, measured on held-out map points (null: the exact inverse).
function expectedText(expected, exact) {
  if (!expected) return exact ? "exact inverse" : "expected error being measured (seconds; decode again to see it)";
  const features = expected.features === null || expected.features === undefined ? ""
    : `, ${expected.features.toFixed(2)} in the judge's features`;
  const reach = Number.isFinite(expected.measured_up_to) ? `${expected.measured_up_to.toFixed(1)}×` : "a few times";
  const beyond = expected.extrapolated ? `; extrapolated: held-out points reach ${reach} the spacing only, ` +
    "farther out the error is not known" : "";
  return `expected error ${expected.pixels.toFixed(3)} pixel RMSE${features} (${expected.method}, ` +
    `${expected.held_out} held-out points${beyond})`;
}

// The hover card sits in the top right corner of the map hovered.
function placeCard(p) {
  const card = $("hover-card"), stage = $("stage").getBoundingClientRect(), plot = p.canvas.getBoundingClientRect();
  card.style.top = `${plot.top - stage.top + 10}px`;
  card.style.right = `${stage.right - plot.right + 10}px`;
  card.hidden = false;
}

async function hoverCard(p, i) {
  const s = p.state, row = s.rows[i], started = performance.now();
  s.hovered = i;
  const img = $("hover-image");
  img.onload = () => {
    const end = performance.now();
    if (s.hovered === i) s.timings.hover = { row, ms: end - started, start: started, end };
  };
  img.src = apiUrl(`/api/thumb/${row}.png`, p.k);
  $("hover-text").textContent = `row ${row}${runTag(p)}`;
  placeCard(p);
  try {
    const point = await getJSON(apiUrl(`/api/point/${row}`, p.k));
    if (s.hovered !== i) return;
    const a = point.attributes;
    const shown = ["label_name", "label", "split"].filter((k) => k in a).map((k) => `${k}: ${a[k]}`);
    $("hover-text").textContent = [`row ${row}${runTag(p)}`, ...shown].join(" · ");
  } catch (err) { /* the thumbnail is what matters on hover */ }
}

async function decodeAt(p, x, y) {
  const started = performance.now();
  try {
    const r = await getJSON(apiUrl("/api/invert", p.k, { map: p.state.map, x, y }));
    const img = $("click-image");
    img.onload = () => { const end = performance.now(); p.state.timings.click = { ms: end - started, void: r.void, end }; };
    img.src = r.image;
    const where = r.void ? el("span", { className: "void", textContent: "void" })
      : el("span", { className: "data", textContent: "among the data" });
    const how = r.exact ? "exact inverse of the PCA plane" : `${INVERSE_WORDS[r.method] ?? r.method} of the ` +
      `${r.rows.length} nearest map points`;
    $("click-text").replaceChildren(where, ` — nearest point (row ${r.nearest_row}) at ${r.distance.toFixed(4)} ` +
      `map units, ${r.ratio.toFixed(1)}× the typical spacing. ${how}; latent radius ${r.radius.toFixed(2)}.`,
      el("br"), el("span", { className: "expected", textContent: expectedText(r.expected_error, r.exact) }),
      el("br"), thumb(r.nearest_row, `nearest: ${r.nearest_row}`, p.k));
    $("click-title").textContent = `Decoded at (${x.toFixed(3)}, ${y.toFixed(3)})${runTag(p)}`;
    $("click-panel").hidden = false;
    await p.overlay.setDecoded(x, y, r.image, r.void);
  } catch (err) { showError(err); }
}

// A row's details: its image and attributes from the run it was clicked in, and its nearest neighbours
// in the latent space of every linked run (each run's own distances).
async function showPoint(p, row) {
  const panels = window.zspace.linked ? window.zspace.panels : [p];
  try {
    $("point-row").textContent = `${row}${runTag(p)}`;
    $("point-image").src = apiUrl(`/api/thumb/${row}.png`, p.k);
    const [point, ...near] = await Promise.all([getJSON(apiUrl(`/api/point/${row}`, p.k)),
      ...panels.map((q) => getJSON(apiUrl(`/api/neighbours/${row}`, q.k, { k: 12 })))]);
    fillList($("point-attributes"), Object.entries(point.attributes).map(([k, v]) =>
      [k, typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v)]));
    const blocks = panels.map((q, n) => el("div", {}, [
      el("h3", { textContent: `Nearest in latent space${runTag(q)}` }),
      el("div", { className: "thumbs" }, near[n].rows.map((r, m) => thumb(r, near[n].distances[m].toFixed(2), q.k)))]));
    $("neighbours").replaceChildren(...blocks);
    $("point-panel").hidden = false;
  } catch (err) { showError(err); }
}

// A selection per run (the same rows when linked): its size, the decode of its mean latent vector with
// that run's decoder, and a sample of its images (shown once: the rows are the same).
async function showSelection(choices) {
  const started = performance.now();
  const box = $("selection-blocks");
  try {
    const answers = await Promise.all(choices.map(({ panel, points }) => getJSON(
      apiUrl("/api/select", panel.k, { map: panel.state.map }),
      { method: "POST", body: new Uint32Array(points), headers: { "Content-Type": "application/octet-stream" } })));
    const answered = performance.now();
    box.replaceChildren();
    choices.forEach(({ panel }, n) => {
      const r = answers[n], k = panel.k, id = (name) => (n ? `${name}-${k}` : name);
      const img = el("img", { id: id("selection-mean"), className: "big", alt: "decoded mean" });
      if (n === 0) {
        img.onload = () => {
          const end = performance.now();
          panel.state.timings.select = { count: r.count, ms: end - started, request: answered - started, start: started, end };
        };
      }
      img.src = r.mean_image;
      box.append(el("h2", {}, ["Selection: ", el("span", { id: id("selection-count"), textContent: r.count.toLocaleString() }),
        ` points${runTag(panel)}`]), el("p", { textContent: "Decode of the mean latent vector:" }), img,
      el("p", { className: "muted", textContent: `radius of the mean: ${r.mean_radius.toFixed(2)}` +
        (n === 0 ? `; a sample of ${r.sample.length}:` : "") }));
      if (n === 0) box.append(el("div", { id: "selection-sample", className: "thumbs" }, r.sample.map((row) => thumb(row, undefined, k))));
    });
    $("selection-panel").hidden = false;
  } catch (err) { showError(err); }
}

// The atlas of each run: n x n decodes over its visible window, laid over its map.
async function decodeWindow(panels, n = 12) {
  const lines = [];
  try {
    await Promise.all(panels.map(async (p) => {
      const [x0, y0, x1, y1] = p.window();
      const started = performance.now();
      const r = await getJSON(apiUrl("/api/atlas", p.k, { map: p.state.map, x0, y0, x1, y1, n }));
      await p.overlay.setAtlas([x0, y0, x1, y1], r);
      const voids = r.cells.filter((c) => c.void).length;
      const errors = r.cells.map((c) => c.expected_error?.pixels).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
      const expected = errors.length ? `expected error ${errors[0].toFixed(3)}–${errors[errors.length - 1].toFixed(3)} pixel RMSE ` +
        `(median ${errors[errors.length >> 1].toFixed(3)}; ${r.cells.find((c) => c.expected_error)?.expected_error.method})`
        : r.exact ? "exact on the PCA plane" : "through the inverse, expected error being measured (decode again to see it)";
      lines.push([p.k, el("p", {}, [el("b", { textContent: `${r.n} × ${r.n}${runTag(p)}: ` }),
        `${voids} of ${r.cells.length} cells in voids (darker, dashed); ${expected}; ` +
        `server ${r.seconds.toFixed(2)} s, shown in ${Math.round(performance.now() - started)} ms.`])]);
    }));
  } catch (err) { showError(err); }
  lines.sort((a, b) => a[0] - b[0]);
  $("atlas-text").replaceChildren(...lines.map(([, line]) => line));
  $("atlas-panel").hidden = !lines.length;
}
