// Images over the map, on a 2-D canvas above the WebGL one (pointer-events: none, so hover and click
// still reach the map): each point's thumbnail once few enough points are in view, and the decoded
// images (the click-to-decode result, the atlas) at their map positions, marked with an orange border.
"use strict";

// Thumbnails in place of dots when at most this many points are in view; the page's address may say
// another number (/?thumbnails=500).
const THUMBNAIL_LIMIT = (() => {
  const asked = new URLSearchParams(location.search).get("thumbnails");
  return asked !== null && /^[0-9]{1,7}$/.test(asked) ? Number(asked) : 3000;
})();
const SPRITE_SIZES = [16, 32, 64]; // the server's sprite tile sizes: 16 x 16 thumbnails of S x S pixels
const SPRITE_BYTES = 192 * 2 ** 20; // decoded tiles kept (LRU): 48 tiles of 64 px, 192 of 32 px, 768 of 16 px
const FETCHES = 6; // sprite tiles requested at once
const SETTLE_MS = 120; // the camera is still this long: fetch the tiles the view needs
const DECODED = "#ff8c00", VOID = "#5a1e00";

// Where each map point sits in the map's k-d tree order (the inverse of the tree's ids), made once per map.
function treePositions(s) {
  if (!s.tree.position) {
    const ids = s.tree.ids, position = new Uint32Array(ids.length);
    for (let p = 0; p < ids.length; p++) position[ids[p]] = p;
    s.tree.position = position;
  }
  return s.tree.position;
}

// Sprite tiles of every run, decoded once (ImageBitmap) and kept in least-recently-used order.
const sprites = {
  tiles: new Map(), bytes: 0, queue: [], active: 0, waiting: new Set(),
  // A map's tile t holds its points t*256 .. t*256+255 in the order of the map's k-d tree (the KDBush ids
  // the page has): neighbours on the map share tiles, so a zoomed-in window needs a few dozen tiles.
  key: (k, map, size, tile) => `${k}:${map}:${size}:${tile}`,
  get(k, map, size, tile) {
    const key = this.key(k, map, size, tile), hit = this.tiles.get(key);
    if (hit) { this.tiles.delete(key); this.tiles.set(key, hit); }
    return hit;
  },
  want(k, map, size, tile, done) {
    const key = this.key(k, map, size, tile);
    if (this.tiles.has(key) || this.waiting.has(key)) return;
    this.waiting.add(key);
    this.queue.push({ key, k, map, size, tile, done });
    this.pump();
  },
  pump() {
    while (this.active < FETCHES && this.queue.length) {
      const job = this.queue.shift();
      this.active += 1;
      fetch(apiUrl(`/api/sprites/${job.tile}.png`, job.k, { size: job.size, map: job.map }))
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`sprite tile ${job.tile}: HTTP ${r.status}`))))
        .then((blob) => createImageBitmap(blob))
        .then((bitmap) => { this.keep(job.key, bitmap); job.done(); })
        .catch(() => {}) // a tile that fails leaves its points as dots
        .finally(() => { this.active -= 1; this.waiting.delete(job.key); this.pump(); });
    }
  },
  keep(key, bitmap) {
    this.tiles.set(key, bitmap);
    this.bytes += bitmap.width * bitmap.height * 4;
    for (const [old, b] of this.tiles) {
      if (this.bytes <= SPRITE_BYTES || old === key) break;
      this.tiles.delete(old);
      this.bytes -= b.width * b.height * 4;
      b.close();
    }
  },
  // Forget queued requests no view needs any more (the camera moved on).
  drop(keep) {
    for (const job of this.queue) if (!keep(job)) this.waiting.delete(job.key);
    this.queue = this.queue.filter((job) => keep(job));
  },
};

class Overlay {
  constructor(panel) {
    this.panel = panel;
    this.canvas = panel.$("overlay");
    this.limit = THUMBNAIL_LIMIT;
    this.visible = 0; // points in view, counted up to limit + 1
    this.thumbnails = false; // thumbnails shown (in place of dots)
    this.drawnThumbnails = 0; // thumbnails drawn at the last redraw (their tiles loaded)
    this.pending = 0; // tiles the view still waits for
    this.decoded = null; // the click-to-decode result: {x, y, image, void}
    this.atlas = null; // {window: [x0, y0, x1, y1], n, cells, image}
    this.atlasRects = []; // screen rectangles of the atlas cells at the last redraw
    this.selected = null; // the map's selected points, read again after each change of the selection
    this.frame = null;
    this.settled = null;
  }

  // On every camera change: a redraw at the next frame with the tiles at hand, and once the camera has
  // been still for SETTLE_MS the tiles the view needs are fetched (never during a pan or zoom).
  schedule() {
    if (this.frame === null) this.frame = requestAnimationFrame(() => { this.frame = null; this.redraw(false); });
    clearTimeout(this.settled);
    this.settled = setTimeout(() => this.redraw(true), SETTLE_MS);
  }

  size() {
    const c = this.canvas, ratio = window.devicePixelRatio || 1;
    const w = Math.round(c.clientWidth * ratio), h = Math.round(c.clientHeight * ratio);
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
    return ratio;
  }

  redraw(fetchTiles) {
    const p = this.panel, s = p.state;
    const ratio = this.size(), ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!s.tree) return;
    const [x0, y0, x1, y1] = p.window();
    const points = pointsInWindow(s.tree, x0, y0, x1, y1, this.limit);
    this.visible = points.length;
    this.thumbnails = points.length <= this.limit;
    this.drawnThumbnails = 0;
    this.pending = 0;
    if (!this.selected) this.selected = new Set(p.scatterplot.get("selectedPoints")); // emptied on each change
    if (this.thumbnails && p.info.thumbnails) this.drawThumbnails(ctx, points, ratio, fetchTiles);
    else this.ringSelection(ctx, x0, y0, x1, y1);
    this.atlasRects = this.atlas ? this.drawAtlas(ctx) : [];
    if (this.decoded) this.drawDecoded(ctx);
    this.canvas.dataset.thumbnails = this.thumbnails ? "1" : "0";
  }

  // Thumbnails sized by how crowded the view is (about one thumbnail's room per point), from sprite tiles
  // of the smallest size that is sharp at that size and whose tiles fit the cache; the tiles covering
  // the most visible points first. A point whose tile is not loaded yet stays a dot.
  drawThumbnails(ctx, points, ratio, fetchTiles) {
    const p = this.panel, s = p.state, w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    const side = Math.max(12, Math.min(80, 0.9 * Math.sqrt((w * h) / Math.max(points.length, 1))));
    const byTile = new Map(), at = treePositions(s);
    for (const i of points) {
      const tile = at[i] >> 8;
      if (!byTile.has(tile)) byTile.set(tile, []);
      byTile.get(tile).push(i);
    }
    const tiles = [...byTile.keys()].sort((a, b) => byTile.get(b).length - byTile.get(a).length);
    let size = SPRITE_SIZES.find((z) => z >= side * ratio) ?? 64;
    while (size > 16 && tiles.length * (16 * size) ** 2 * 4 > SPRITE_BYTES) size /= 2;
    const room = Math.floor(SPRITE_BYTES / ((16 * size) ** 2 * 4));
    const wanted = new Set();
    for (const tile of tiles.slice(0, room)) {
      const bitmap = sprites.get(p.k, s.map, size, tile)
        ?? SPRITE_SIZES.map((z) => sprites.get(p.k, s.map, z, tile)).find(Boolean);
      if (!bitmap || bitmap.width !== 16 * size) {
        this.pending += 1;
        if (fetchTiles) {
          wanted.add(sprites.key(p.k, s.map, size, tile));
          sprites.want(p.k, s.map, size, tile, () => this.schedule());
        }
      }
      if (!bitmap) continue;
      for (const i of byTile.get(tile)) {
        this.drawThumbnail(ctx, bitmap, i, side, colourOf(s, i));
        this.drawnThumbnails += 1;
      }
    }
    if (fetchTiles) sprites.drop((job) => job.k !== p.k || wanted.has(job.key));
    // The hovered point (here or in a linked map) on top and larger; the selected ones framed in red.
    const hovered = s.hovered ?? s.linkedHover;
    for (const i of points) if (this.selected.has(i)) this.drawThumbnail(ctx, this.tileOf(i), i, side, "#e61a1a", 2);
    if (hovered !== null && hovered >= 0 && points.includes(hovered)) {
      this.drawThumbnail(ctx, this.tileOf(hovered), hovered, Math.max(1.6 * side, 32), "#ff4d00", 3);
    }
  }

  // Among dots, a few selected points (a selection made in a linked map) are hard to find: each gets a ring.
  ringSelection(ctx, x0, y0, x1, y1) {
    if (!this.selected.size || this.selected.size > this.limit) return;
    const p = this.panel, s = p.state;
    ctx.save();
    ctx.strokeStyle = "#e61a1a";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (const i of this.selected) {
      if (s.x[i] < x0 || s.x[i] > x1 || s.y[i] < y0 || s.y[i] > y1) continue;
      const cx = p.xScale(s.x[i]), cy = p.yScale(s.y[i]);
      ctx.moveTo(cx + 6, cy);
      ctx.arc(cx, cy, 6, 0, 2 * Math.PI);
    }
    ctx.stroke();
    ctx.restore();
  }

  tileOf(i) {
    const k = this.panel.k, s = this.panel.state, tile = treePositions(s)[i] >> 8;
    return SPRITE_SIZES.map((z) => sprites.get(k, s.map, z, tile)).reverse().find(Boolean);
  }

  // One thumbnail centred on map point i, framed in its colour on the map (so the colouring stays visible).
  drawThumbnail(ctx, bitmap, i, side, frame, width = 1) {
    const s = this.panel.state, cx = this.panel.xScale(s.x[i]), cy = this.panel.yScale(s.y[i]);
    ctx.fillStyle = frame;
    ctx.fillRect(cx - side / 2 - width, cy - side / 2 - width, side + 2 * width, side + 2 * width);
    if (!bitmap) return;
    const z = bitmap.width / 16, r = treePositions(s)[i] & 255;
    ctx.drawImage(bitmap, (r % 16) * z, (r >> 4) * z, z, z, cx - side / 2, cy - side / 2, side, side);
  }

  // The atlas: n x n decoded images over the window they were asked for, in map units (they pan and zoom
  // with the map); a cell in a void is darkened, with a dark dashed border, the others get the orange "decoded" one.
  drawAtlas(ctx) {
    const p = this.panel, a = this.atlas, [x0, y0, x1, y1] = a.window, n = a.n, cell = a.image.width / n;
    const rects = [];
    const sx = (x) => p.xScale(x), sy = (y) => p.yScale(y);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const left = sx(x0 + (j * (x1 - x0)) / n), right = sx(x0 + ((j + 1) * (x1 - x0)) / n);
        const top = sy(y1 - (i * (y1 - y0)) / n), bottom = sy(y1 - ((i + 1) * (y1 - y0)) / n);
        const r = { left, top, width: right - left, height: bottom - top, void: !!a.cells[i * n + j].void };
        ctx.drawImage(a.image, j * cell, i * cell, cell, cell, r.left, r.top, r.width, r.height);
        this.mark(ctx, r);
        rects.push(r);
      }
    }
    return rects;
  }

  drawDecoded(ctx) {
    const p = this.panel, d = this.decoded;
    const side = Math.max(56, this.thumbnails ? 1.5 * Math.sqrt(this.canvas.clientWidth * this.canvas.clientHeight / Math.max(this.visible, 1)) : 0);
    const r = { left: p.xScale(d.x) - side / 2, top: p.yScale(d.y) - side / 2, width: side, height: side, void: d.void };
    ctx.drawImage(d.image, r.left, r.top, side, side);
    this.mark(ctx, r, 3);
  }

  mark(ctx, r, width = 1.5) {
    ctx.save();
    if (r.void) { ctx.fillStyle = "rgba(40, 12, 0, 0.35)"; ctx.fillRect(r.left, r.top, r.width, r.height); }
    ctx.lineWidth = width;
    ctx.strokeStyle = r.void ? VOID : DECODED;
    if (r.void) ctx.setLineDash([4, 3]);
    ctx.strokeRect(r.left + width / 2, r.top + width / 2, r.width - width, r.height - width);
    ctx.restore();
  }

  async setDecoded(x, y, url, isVoid) {
    this.decoded = { x, y, image: await loadImage(url), void: isVoid };
    this.redraw(false);
  }

  async setAtlas(window_, answer) {
    this.atlas = { window: window_, n: answer.n, cells: answer.cells, image: await loadImage(answer.image) };
    this.redraw(false);
  }

  clear() { this.atlas = null; this.decoded = null; this.redraw(false); }
}

// A point's colour on the map: its category's, or its place on the continuous ramp.
function colourOf(s, i) {
  const colours = s.legend.colours, v = s.values[i];
  if (s.legend.kind === "categorical") return colours[v] ?? colours[0];
  if (Number.isNaN(v)) return s.legend.missing ?? colours[0];
  return colours[Math.round(Math.min(1, Math.max(0, v || 0)) * (colours.length - 1))];
}

async function loadImage(url) {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}
