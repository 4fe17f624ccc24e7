// zspace explorer: the map (regl-scatterplot, WebGL), hover, click-to-decode, lasso, neighbours.
// Talks only to this server's /api (see explore/app.py); nothing is fetched from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  info: null, map: null, count: 0, x: null, y: null, rows: null, spatial: null, values: null, legend: null,
  hovered: null, lassoing: false, mode: "panZoom", down: null, busy: false,
  timings: { paint: null, ready: null, load: null, hover: null, click: null, select: null },
};

// A linear scale that regl-scatterplot keeps up to date with the camera (d3-scale's interface, the part it uses).
function linearScale(domain, range) {
  let d = domain.slice(), r = range.slice();
  const scale = (v) => r[0] + ((v - d[0]) / (d[1] - d[0])) * (r[1] - r[0]);
  scale.domain = (v) => (v === undefined ? d.slice() : ((d = [+v[0], +v[1]]), scale));
  scale.range = (v) => (v === undefined ? r.slice() : ((r = [+v[0], +v[1]]), scale));
  scale.invert = (p) => d[0] + ((p - r[0]) / (r[1] - r[0])) * (d[1] - d[0]);
  scale.copy = () => linearScale(d, r);
  return scale;
}
const xScale = linearScale([-1, 1], [0, 1]);
const yScale = linearScale([-1, 1], [1, 0]);

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

async function getBuffer(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error((await response.json()).error || `HTTP ${response.status}`);
  return response.arrayBuffer();
}

function showError(err) {
  const box = $("error");
  box.textContent = String(err.message || err);
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (box.hidden = true), 5000);
}

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function thumb(row, caption) {
  const img = el("img", { src: `/api/thumb/${row}.png`, alt: `row ${row}`, title: `row ${row}` });
  img.addEventListener("click", () => showPoint(row));
  return el("figure", {}, [img, el("figcaption", { textContent: caption ?? `${row}` })]);
}

function fillList(dl, entries) {
  dl.replaceChildren();
  for (const [name, value] of entries) dl.append(el("dt", { textContent: name }), el("dd", { textContent: value }));
}

// -- the map ------------------------------------------------------------------------------
let scatterplot = null;

function createPlot() {
  const canvas = $("map");
  const many = Math.max(...state.info.maps.map((v) => v.count)) > 500000;
  scatterplot = window.createScatterplot({
    canvas, width: "auto", height: "auto", xScale, yScale,
    backgroundColor: [1, 1, 1, 1], pointSize: 4, opacity: many ? 1 : 0.8, lassoMinDelay: 5,
    pointColorHover: [1, 0.3, 0, 1], pointColorActive: [0.9, 0.1, 0.1, 1],
    lassoColor: [0.04, 0.52, 1, 1], deselectOnDblClick: false,
    // Past half a million points: square points without alpha blending (regl-scatterplot's mode for millions).
    performanceMode: many,
  });
  scatterplot.subscribe("pointover", (i) => onHover(i));
  scatterplot.subscribe("pointout", () => { state.hovered = null; $("hover-card").hidden = true; });
  scatterplot.subscribe("lassoStart", () => (state.lassoing = true));
  scatterplot.subscribe("select", ({ points }) => {
    if (state.lassoing) { state.lassoing = false; onSelect(points); }
  });
  canvas.addEventListener("pointerdown", (e) => (state.down = [e.clientX, e.clientY]));
  canvas.addEventListener("click", onClick);
}

function pointSize(count) {
  return count > 500000 ? 1.5 : count > 100000 ? 2 : count > 10000 ? 3 : count > 1000 ? 5 : 7;
}

// The points and the k-d tree regl-scatterplot uses for hover and lasso, which comes built from the
// server (KDBush bytes): built here, it would cost seconds of JavaScript per draw for a million points.
function fetchMap(name) {
  return Promise.all([getBuffer(`/api/map/${encodeURIComponent(name)}`),
    getBuffer(`/api/spatial/${encodeURIComponent(name)}`)]);
}

async function loadMap(name, pending = null, pendingColours = null) {
  // The geometry and the colours are fetched together. The first paint does not wait for the colours
  // (a million-row index can take seconds to read on the server): the map is drawn in one colour, then
  // again in colour when they arrive.
  const started = performance.now();
  $("map-status").textContent = "loading map…";
  const by = $("colour-select").value;
  const colours = pendingColours ?? fetchColours(name, by);
  colours.catch(() => {}); // reported when awaited below
  const [buffer, spatial] = await (pending ?? fetchMap(name));
  scatterplot.deselect(); // point ids belong to one map
  $("selection-panel").hidden = true;
  const m = buffer.byteLength / 12;
  state.map = name;
  state.count = m;
  state.x = new Float32Array(buffer, 0, m);
  state.y = new Float32Array(buffer, 4 * m, m);
  state.rows = new Uint32Array(buffer, 8 * m, m);
  state.spatial = spatial;
  scatterplot.set({ pointSize: pointSize(m) });
  const fetched = performance.now();
  const early = await Promise.race([colours, new Promise((resolve) => setTimeout(() => resolve(null), 30))]);
  if (early) applyColours(early);
  else { state.values = new Float32Array(m); state.legend = { kind: "categorical", colours: ["#1f77b4"] }; }
  await draw();
  // The whole map in view: regl-scatterplot shows y in [-1, 1] and x in [-w/h, w/h], which crops the
  // sides of a map on a canvas taller than wide.
  await scatterplot.zoomToArea({ x: -1, y: -1, width: 2, height: 2 }, { transition: false });
  if (state.timings.paint === null) state.timings.paint = performance.now(); // first paint, since navigation
  state.timings.load = { fetch: fetched - started, draw: performance.now() - fetched, coloured: !!early };
  const view = state.info.maps.find((v) => v.name === name);
  $("map-status").textContent = `${m.toLocaleString()} points · ${view.exact ? "exact inverse (PCA)" :
    "inverse by interpolation"} · drawn in ${Math.round(performance.now() - started)} ms`;
  if (!early) {
    applyColours(await colours);
    await draw();
    state.timings.load.colours = performance.now() - started;
  }
}

async function fetchColours(name, by) {
  const [buffer, legend] = await Promise.all([
    getBuffer(`/api/colour/${encodeURIComponent(name)}/${encodeURIComponent(by)}`),
    getJSON(`/api/legend/${encodeURIComponent(by)}`),
  ]);
  return { values: new Float32Array(buffer), legend };
}

function applyColours({ values, legend }) {
  state.values = values;
  state.legend = legend;
  drawLegend(legend);
}

async function loadColours(by) {
  applyColours(await fetchColours(state.map, by));
  await draw();
}

async function draw() {
  const legend = state.legend;
  scatterplot.set({ colorBy: "valueA", pointColor: legend.colours });
  await scatterplot.draw({ x: state.x, y: state.y, valueA: state.values },
    { zDataType: legend.kind === "categorical" ? "categorical" : "continuous", spatialIndex: state.spatial });
}

function drawLegend(legend) {
  const box = $("legend");
  box.replaceChildren();
  if (legend.kind === "categorical") {
    const counts = new Array(legend.categories.length).fill(0); // on this map (a t-SNE map may hold a subsample)
    for (const v of state.values) counts[v] += 1;
    legend.categories.forEach((c, k) => (c.count = counts[k]));
    for (const c of legend.categories) {
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = c.colour;
      box.append(el("div", { className: "legend-row" },
        [swatch, el("span", { textContent: `${c.name} (${c.count.toLocaleString()})` })]));
    }
  } else {
    const ramp = el("div", { className: "ramp" });
    ramp.style.background = `linear-gradient(to right, ${legend.colours.join(",")})`;
    box.append(el("div", { textContent: legend.by }), ramp,
      el("div", { className: "legend-row" }, [
        el("span", { textContent: legend.minimum.toPrecision(3) }), el("span", { textContent: " … " }),
        el("span", { textContent: legend.maximum.toPrecision(3) })]));
  }
}

// Map units (normalised, what the server sent) <-> pixels in the canvas, through the camera's scales.
function toData(clientX, clientY) {
  const rect = $("map").getBoundingClientRect();
  return [xScale.invert(clientX - rect.left), yScale.invert(clientY - rect.top)];
}
function screenOf(i) {
  const rect = $("map").getBoundingClientRect();
  return [rect.left + xScale(state.x[i]), rect.top + yScale(state.y[i])];
}

// -- interactions -------------------------------------------------------------------------
async function onHover(i) {
  const row = state.rows[i];
  const started = performance.now();
  state.hovered = i;
  const card = $("hover-card");
  const img = $("hover-image");
  img.onload = () => {
    const end = performance.now();
    if (state.hovered === i) state.timings.hover = { row, ms: end - started, start: started, end };
  };
  img.src = `/api/thumb/${row}.png`;
  $("hover-text").textContent = `row ${row}`;
  card.hidden = false;
  try {
    const point = await getJSON(`/api/point/${row}`);
    if (state.hovered !== i) return;
    const a = point.attributes;
    const shown = ["label_name", "label", "split"].filter((k) => k in a).map((k) => `${k}: ${a[k]}`);
    $("hover-text").textContent = [`row ${row}`, ...shown].join(" · ");
  } catch (err) { /* the thumbnail is what matters on hover */ }
}

function onClick(event) {
  if (state.mode !== "panZoom" || !state.down) return;
  const moved = Math.hypot(event.clientX - state.down[0], event.clientY - state.down[1]);
  if (moved > 4) return; // a drag (pan), not a click
  if (state.hovered !== null) showPoint(state.rows[state.hovered]);
  else decodeAt(...toData(event.clientX, event.clientY));
}

async function decodeAt(x, y) {
  const started = performance.now();
  try {
    const r = await getJSON(`/api/invert?map=${encodeURIComponent(state.map)}&x=${x}&y=${y}`);
    const img = $("click-image");
    img.onload = () => { const end = performance.now(); state.timings.click = { ms: end - started, void: r.void, end }; };
    img.src = r.image;
    const where = r.void ? el("span", { className: "void", textContent: "void" })
      : el("span", { className: "data", textContent: "among the data" });
    const how = r.exact ? "exact inverse of the PCA plane"
      : `inverse-distance mix of ${r.rows.length} nearest map points`;
    $("click-text").replaceChildren(where, ` — nearest point (row ${r.nearest_row}) at ${r.distance.toFixed(4)} ` +
      `map units, ${r.ratio.toFixed(1)}× the typical spacing. ${how}; latent radius ${r.radius.toFixed(2)}.`,
      el("br"), thumb(r.nearest_row, `nearest: ${r.nearest_row}`));
    $("click-title").textContent = `Decoded at (${x.toFixed(3)}, ${y.toFixed(3)})`;
    $("click-panel").hidden = false;
  } catch (err) { showError(err); }
}

async function showPoint(row) {
  try {
    $("point-row").textContent = row;
    $("point-image").src = `/api/thumb/${row}.png`;
    const [point, near] = await Promise.all([getJSON(`/api/point/${row}`), getJSON(`/api/neighbours/${row}?k=12`)]);
    fillList($("point-attributes"), Object.entries(point.attributes).map(([k, v]) =>
      [k, typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v)]));
    $("neighbours").replaceChildren(...near.rows.map((r, k) => thumb(r, near.distances[k].toFixed(2))));
    $("point-panel").hidden = false;
  } catch (err) { showError(err); }
}

async function onSelect(points) {
  if (!points.length) return;
  const started = performance.now();
  try {
    const body = new Uint32Array(points);
    const r = await getJSON(`/api/select?map=${encodeURIComponent(state.map)}`, {
      method: "POST", body, headers: { "Content-Type": "application/octet-stream" } });
    const answered = performance.now();
    const img = $("selection-mean");
    img.onload = () => {
      const end = performance.now();
      state.timings.select = { count: r.count, ms: end - started, request: answered - started, start: started, end };
    };
    img.src = r.mean_image;
    $("selection-count").textContent = r.count.toLocaleString();
    $("selection-text").textContent = `radius of the mean: ${r.mean_radius.toFixed(2)}; a sample of ${r.sample.length}:`;
    $("selection-sample").replaceChildren(...r.sample.map((row) => thumb(row)));
    $("selection-panel").hidden = false;
  } catch (err) { showError(err); }
}

function setMode(mode) {
  state.mode = mode;
  scatterplot.set({ mouseMode: mode });
  $("mode-pan").classList.toggle("active", mode === "panZoom");
  $("mode-lasso").classList.toggle("active", mode === "lasso");
}

// -- the side panel -----------------------------------------------------------------------
function fillPanel(info) {
  $("run-name").textContent = info.run;
  document.title = `zspace explorer · ${info.run}`;
  for (const v of info.maps) $("map-select").append(el("option", { value: v.name, textContent: `${v.title} (${v.count.toLocaleString()})` }));
  $("map-select").value = info.default_map;
  for (const by of info.colour_options) $("colour-select").append(el("option", { value: by, textContent: by }));
  $("colour-select").value = info.default_colour;
  fillList($("headline"), info.headline.map((h) => [h.name, h.value]));
  const links = [];
  if (info.report) links.push(el("a", { href: "/report", target: "_blank", textContent: "open the run's report" }));
  for (const f of info.figures) links.push(" ", el("a", { href: `/figures/${encodeURIComponent(f)}`, target: "_blank", textContent: f }));
  $("links").replaceChildren(...links);
  $("notes").replaceChildren(...info.notes.map((n) => el("li", { textContent: n })));
}

async function main() {
  try {
    state.info = await getJSON("/api/info");
    // The first map and its colours download while WebGL starts (errors are reported in loadMap).
    const first = fetchMap(state.info.default_map);
    const firstColours = fetchColours(state.info.default_map, state.info.default_colour);
    first.catch(() => {});
    firstColours.catch(() => {});
    fillPanel(state.info);
    createPlot();
    $("map-select").addEventListener("change", (e) => loadMap(e.target.value).catch(showError));
    $("colour-select").addEventListener("change", (e) => loadColours(e.target.value).catch(showError));
    $("mode-pan").addEventListener("click", () => setMode("panZoom"));
    $("mode-lasso").addEventListener("click", () => setMode("lasso"));
    await loadMap(state.info.default_map, first, firstColours);
    state.timings.ready = performance.now();
    document.body.dataset.ready = "1";
  } catch (err) { showError(err); }
}

window.zspace = { state, screenOf, toData, decodeAt, setMode };
main();
