// One run's map: its regl-scatterplot canvas, map and colour selects, legend and camera (one Panel per run).
"use strict";

function pointSize(count) {
  return count > 500000 ? 1.5 : count > 100000 ? 2 : count > 10000 ? 3 : count > 1000 ? 5 : 7;
}

class Panel {
  constructor(k, info, hooks) {
    this.k = k;
    this.info = info;
    this.hooks = hooks; // onHover(panel, i), onOut(panel), onSelect(panel, points), onClick(panel, event), onView(panel)
    this.xScale = linearScale([-1, 1], [0, 1]);
    this.yScale = linearScale([-1, 1], [1, 0]);
    this.state = {
      info, map: null, count: 0, x: null, y: null, rows: null, spatial: null, values: null, legend: null,
      hovered: null, linkedHover: null, lassoing: false, lassoed: false, down: null, tree: null, rowPoint: null,
      timings: { paint: null, ready: null, load: null, hover: null, click: null, select: null },
    };
    this.scatterplot = null;
  }

  // An element of this panel: run 0 keeps the page's ids, run k their copies "<id>-k" (see cloneFor).
  $(id) { return $(this.k ? `${id}-${this.k}` : id); }

  get canvas() { return this.$("map"); }

  createPlot() {
    const canvas = this.canvas;
    const many = Math.max(...this.info.maps.map((v) => v.count)) > 500000;
    this.scatterplot = window.createScatterplot({
      canvas, width: "auto", height: "auto", xScale: this.xScale, yScale: this.yScale,
      backgroundColor: [1, 1, 1, 1], pointSize: 4, opacity: many ? 1 : 0.8, lassoMinDelay: 5,
      pointColorHover: [1, 0.3, 0, 1], pointColorActive: [0.9, 0.1, 0.1, 1],
      lassoColor: [0.04, 0.52, 1, 1], deselectOnDblClick: false, pointSizeSelected: 3, pointOutlineWidth: 2,
      // Past half a million points: square points without alpha blending (regl-scatterplot's mode for millions).
      performanceMode: many,
    });
    const s = this.state, hooks = this.hooks;
    this.scatterplot.subscribe("pointover", (i) => hooks.onHover(this, i));
    this.scatterplot.subscribe("pointout", () => { s.hovered = null; hooks.onOut(this); });
    this.scatterplot.subscribe("lassoStart", () => (s.lassoing = true));
    this.scatterplot.subscribe("select", ({ points }) => {
      if (s.lassoing) { s.lassoing = false; s.lassoed = true; hooks.onSelect(this, points); }
    });
    // The click that ends a lasso would select the one point under the mouse in place of the lasso's
    // points: it stops here, before it reaches the canvas (the lasso's events may not have arrived yet).
    this.$("plot").addEventListener("click", (e) => {
      if (s.lassoing || s.lassoed) { s.lassoed = false; e.stopPropagation(); }
    }, true);
    this.scatterplot.subscribe("view", () => hooks.onView(this));
    this.scatterplot.subscribe("deselect", () => hooks.onDeselect(this));
    canvas.addEventListener("pointerdown", (e) => { s.down = [e.clientX, e.clientY]; s.lassoed = false; });
    canvas.addEventListener("click", (e) => hooks.onClick(this, e));
  }

  // The points and the k-d tree regl-scatterplot uses for hover and lasso, which comes built from the
  // server (KDBush bytes): built here, it would cost seconds of JavaScript per draw for a million points.
  fetchMap(name) {
    const n = encodeURIComponent(name);
    return Promise.all([getBuffer(apiUrl(`/api/map/${n}`, this.k)), getBuffer(apiUrl(`/api/spatial/${n}`, this.k))]);
  }

  async fetchColours(name, by) {
    const [buffer, legend] = await Promise.all([
      getBuffer(apiUrl(`/api/colour/${encodeURIComponent(name)}/${encodeURIComponent(by)}`, this.k)),
      getJSON(apiUrl(`/api/legend/${encodeURIComponent(by)}`, this.k, { map: name })),
    ]);
    return { values: new Float32Array(buffer), legend };
  }

  async loadMap(name, pending = null, pendingColours = null) {
    // The geometry and the colours are fetched together. The first paint does not wait for the colours
    // (a million-row index can take seconds to read on the server): the map is drawn in one colour, then
    // again in colour when they arrive.
    const s = this.state, started = performance.now();
    this.$("map-status").textContent = "loading map…";
    const colours = pendingColours ?? this.fetchColours(name, this.$("colour-select").value);
    colours.catch(() => {}); // reported when awaited below
    const [buffer, spatial] = await (pending ?? this.fetchMap(name));
    this.scatterplot.deselect(); // point ids belong to one map
    this.hooks.onMapChange(this);
    const m = buffer.byteLength / 12;
    Object.assign(s, { map: name, count: m, x: new Float32Array(buffer, 0, m), y: new Float32Array(buffer, 4 * m, m),
      rows: new Uint32Array(buffer, 8 * m, m), spatial, tree: readTree(spatial), rowPoint: null });
    this.scatterplot.set({ pointSize: pointSize(m) });
    const fetched = performance.now();
    const early = await Promise.race([colours, new Promise((resolve) => setTimeout(() => resolve(null), 30))]);
    if (early) this.applyColours(early);
    else { s.values = new Float32Array(m); s.legend = { kind: "categorical", colours: ["#1f77b4"] }; }
    await this.draw();
    // The whole map in view: regl-scatterplot shows y in [-1, 1] and x in [-w/h, w/h], which crops the
    // sides of a map on a canvas taller than wide.
    await this.scatterplot.zoomToArea({ x: -1, y: -1, width: 2, height: 2 }, { transition: false });
    if (s.timings.paint === null) s.timings.paint = performance.now(); // first paint, since navigation
    s.timings.load = { fetch: fetched - started, draw: performance.now() - fetched, coloured: !!early };
    const view = this.info.maps.find((v) => v.name === name);
    this.$("map-status").textContent = `${m.toLocaleString()} points · ${view.exact ? "exact inverse (PCA)" :
      "inverse by interpolation"} · drawn in ${Math.round(performance.now() - started)} ms`;
    this.hooks.onView(this);
    if (!early) {
      this.applyColours(await colours);
      await this.draw();
      s.timings.load.colours = performance.now() - started;
    }
  }

  applyColours({ values, legend }) {
    this.state.values = values;
    this.state.legend = legend;
    this.drawLegend(legend);
  }

  async loadColours(by) {
    this.applyColours(await this.fetchColours(this.state.map, by));
    await this.draw();
  }

  // regl-scatterplot ignores a draw asked while the previous one runs (a colour chosen while the map still
  // loads would be lost): draws are chained, and each draws the state as it is when its turn comes.
  draw() {
    this.drawing = (this.drawing ?? Promise.resolve()).catch(() => {}).then(() => this.drawNow());
    return this.drawing;
  }

  async drawNow() {
    const s = this.state, legend = s.legend;
    let colours = legend.colours, values = s.values;
    // A continuous colouring with rows not measured (NaN, e.g. agreement outside its sample): those are
    // drawn in the legend's "missing" grey, one colour past the ramp (regl-scatterplot's colour of a value
    // v is colours[round(v * (colours - 1))]).
    if (legend.kind !== "categorical" && legend.missing && values.some(Number.isNaN)) {
      const n = colours.length;
      colours = [...colours, legend.missing];
      values = values.map((v) => (Number.isNaN(v) ? 1 : (v * (n - 1)) / n));
    }
    this.scatterplot.set({ colorBy: "valueA", pointColor: colours });
    await this.scatterplot.draw({ x: s.x, y: s.y, valueA: values },
      { zDataType: legend.kind === "categorical" ? "categorical" : "continuous", spatialIndex: s.spatial });
  }

  drawLegend(legend) {
    const box = this.$("legend");
    box.replaceChildren();
    if (legend.kind === "categorical") {
      const counts = new Array(legend.categories.length).fill(0); // on this map (a t-SNE map may hold a subsample)
      for (const v of this.state.values) counts[v] += 1;
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
    if (legend.missing && this.state.values.some(Number.isNaN)) {
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = legend.missing;
      box.append(el("div", { className: "legend-row" }, [swatch, el("span", { textContent: "not measured" })]));
    }
    if (legend.note) box.append(el("p", { className: "muted small", textContent: legend.note }));
  }

  // Map units (normalised, what the server sent) <-> pixels in the canvas, through the camera's scales.
  toData(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    return [this.xScale.invert(clientX - rect.left), this.yScale.invert(clientY - rect.top)];
  }

  screenOf(i) {
    const rect = this.canvas.getBoundingClientRect();
    return [rect.left + this.xScale(this.state.x[i]), rect.top + this.yScale(this.state.y[i])];
  }

  // The visible window in map units: [x0, y0, x1, y1] with x0 < x1 and y0 < y1.
  window() {
    const [a, b] = this.xScale.domain(), [c, d] = this.yScale.domain();
    return [Math.min(a, b), Math.min(c, d), Math.max(a, b), Math.max(c, d)];
  }

  // The map point of a row on this panel's map, or -1 (a subsampled map may lack it); the table is built
  // on first use after a map loads (one pass over the map's rows).
  pointOf(row) {
    const s = this.state;
    if (!s.rowPoint) {
      s.rowPoint = new Int32Array(this.info.count).fill(-1);
      for (let i = 0; i < s.count; i++) s.rowPoint[s.rows[i]] = i;
    }
    return row < s.rowPoint.length ? s.rowPoint[row] : -1;
  }

  fillControls() {
    const info = this.info;
    for (const v of info.maps) this.$("map-select").append(el("option", { value: v.name, textContent: `${v.title} (${v.count.toLocaleString()})` }));
    this.$("map-select").value = info.default_map;
    for (const by of info.colour_options) this.$("colour-select").append(el("option", { value: by, textContent: by }));
    this.$("colour-select").value = info.default_colour;
    this.$("map-select").addEventListener("change", (e) => this.loadMap(e.target.value).catch(showError));
    this.$("colour-select").addEventListener("change", (e) => this.loadColours(e.target.value).catch(showError));
  }
}
