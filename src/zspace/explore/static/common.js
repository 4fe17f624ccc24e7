// zspace explorer, shared helpers: DOM, requests, the camera's scales and the server's k-d tree.
// Talks only to this server's /api (see explore/app.py); nothing is fetched from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

// An API address for run k: `run=` is left out for run 0 (the server's default), so one run's page asks
// for exactly what it asked before several runs existed.
function apiUrl(path, k = 0, params = {}) {
  const query = new URLSearchParams(params);
  if (k) query.set("run", String(k));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

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

function fillList(dl, entries) {
  dl.replaceChildren();
  for (const [name, value] of entries) dl.append(el("dt", { textContent: name }), el("dd", { textContent: value }));
}

// A copy of a block of the page for run k: every id inside gets the suffix "-k" (see Panel.$).
function cloneFor(node, k) {
  const copy = node.cloneNode(true);
  for (const n of [copy, ...copy.querySelectorAll("[id]")]) if (n.id) n.id = `${n.id}-${k}`;
  return copy;
}

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

// The map's KDBush v4 tree as the server sent it (explore/spatial_index.py): ids and float32 (x, y) pairs.
function readTree(buffer) {
  const head = new DataView(buffer, 0, 8);
  const nodeSize = head.getUint16(2, true), n = head.getUint32(4, true);
  const small = n < 65536;
  const idBytes = n * (small ? 2 : 4);
  const ids = small ? new Uint16Array(buffer, 8, n) : new Uint32Array(buffer, 8, n);
  const coords = new Float32Array(buffer, 8 + idBytes + ((8 - (idBytes % 8)) % 8), 2 * n);
  return { ids, coords, nodeSize, n };
}

// The map points inside [x0, x1] x [y0, y1], KDBush's range search; it stops once it holds more than
// `limit`, so asking "are there at most 3,000 points in view?" costs O(3,000 + log n), never a full scan.
function pointsInWindow(tree, x0, y0, x1, y1, limit = Infinity) {
  const { ids, coords, nodeSize } = tree;
  const out = [];
  if (!tree.n) return out;
  const stack = [0, tree.n - 1, 0];
  const inside = (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
  while (stack.length && out.length <= limit) {
    const axis = stack.pop(), right = stack.pop(), left = stack.pop();
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) if (inside(coords[2 * i], coords[2 * i + 1])) out.push(ids[i]);
      continue;
    }
    const m = (left + right) >> 1, x = coords[2 * m], y = coords[2 * m + 1];
    if (inside(x, y)) out.push(ids[m]);
    if (axis === 0 ? x0 <= x : y0 <= y) stack.push(left, m - 1, 1 - axis);
    if (axis === 0 ? x1 >= x : y1 >= y) stack.push(m + 1, right, 1 - axis);
  }
  return out;
}
