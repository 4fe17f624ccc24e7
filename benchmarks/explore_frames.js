// What benchmarks/explore_frames.py runs inside the explorer's page: evaluated once (it defines
// window.__bench), then called by name. Times are performance.now() milliseconds.
(() => {
  // The page's regl-scatterplot objects: one per panel (window.zspace.panels), or, in the page before
  // panels, app.js's single top-level one.
  const plots = () => {
    const z = window.zspace;
    if (z && z.panels) return z.panels.map((p) => p.scatterplot);
    try { return [scatterplot]; } catch (err) { return []; } // eslint-disable-line no-undef
  };
  const rec = { frames: [], draws: [], marks: {}, drawsCounted: false };
  const drawsSince = (t) => rec.draws.filter((d) => d >= t).length;

  window.__bench = {
    // Every animation frame's timestamp and every redraw of a map, from now on.
    record() {
      const tick = (t) => { rec.frames.push(t); requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      for (const plot of plots()) plot.subscribe("draw", () => rec.draws.push(performance.now()));
      rec.drawsCounted = plots().length > 0;
    },
    mark(name) { rec.marks[name] = performance.now(); },
    redrawsSince(name) { return drawsSince(rec.marks[name]); },
    result() { return rec; },

    // No input: the first map's camera moved by the page on every frame (regl-scatterplot's public
    // zoomToArea), so each frame is one redraw of every point. For ms, then on until `redraws`
    // redraws, never past `most`; false when the page has no map object to move.
    cameraLoop([ms, redraws, most]) {
      const plot = plots()[0];
      if (!plot) return Promise.resolve(false);
      return new Promise((done) => {
        const started = performance.now();
        const step = (t) => {
          const age = t - started;
          if ((age > ms && drawsSince(started) >= redraws) || age > most) return done(true);
          const s = age / 1000, size = 2 - 0.5 * Math.abs(Math.sin(Math.PI * s));
          plot.zoomToArea({ x: -size / 2 + 0.2 * Math.sin(2 * Math.PI * s), y: -size / 2, width: size, height: size },
            { transition: false });
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
    },

    // Zoom the first map onto its densest spot until at most `want` points are in view (where the page
    // draws thumbnails in place of dots, issue 22 §2); null when the page cannot count points in view.
    async zoomToThumbnails(want) {
      const z = window.zspace, plot = plots()[0];
      if (!plot || !z.visibleCount || !z.thumbnailsShown) return null;
      const s = z.state, step = Math.max(1, Math.floor(s.count / 100000)), cells = new Map();
      for (let i = 0; i < s.count; i += step) {
        const key = `${Math.round(s.x[i] * 20)},${Math.round(s.y[i] * 20)}`;
        cells.set(key, (cells.get(key) || 0) + 1);
      }
      const densest = [...cells.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
      const [cx, cy] = densest.split(",").map((v) => Number(v) / 20);
      // The window's size from the subsample (no redraw per guess: at 5M points one takes seconds) ...
      const inside = (size) => {
        let n = 0;
        for (let i = 0; i < s.count; i += step) if (Math.abs(s.x[i] - cx) < size / 2 && Math.abs(s.y[i] - cy) < size / 2) n++;
        return n * step;
      };
      let size = 2;
      while (size > 1e-6 && inside(size) > want * 0.8) size /= 1.25;
      // ... then checked against the page's own count of the points in view.
      await plot.zoomToArea({ x: cx - size / 2, y: cy - size / 2, width: size, height: size }, { transition: false });
      for (let k = 0; k < 20 && z.visibleCount() > want; k++) {
        size /= 1.25;
        await plot.zoomToArea({ x: cx - size / 2, y: cy - size / 2, width: size, height: size }, { transition: false });
      }
      return { size, visible: z.visibleCount() };
    },

    // What the overlay shows: thumbnails in place of dots or not, points in view, thumbnails drawn, tiles awaited.
    thumbnailState() {
      const o = window.zspace.overlay();
      return { shown: !!o.thumbnails, visible: o.visible, drawn: o.drawnThumbnails, pending: o.pending };
    },

    // The WebGL renderer the page draws with (SwiftShader on a machine without a GPU).
    renderer() {
      const gl = document.createElement("canvas").getContext("webgl");
      if (!gl) return { renderer: null, vendor: null, unmasked: false };
      const ext = gl.getExtension("WEBGL_debug_renderer_info");
      return ext ? { renderer: gl.getParameter(ext.UNMASKED_RENDERER_WEBGL),
        vendor: gl.getParameter(ext.UNMASKED_VENDOR_WEBGL), unmasked: true }
        : { renderer: gl.getParameter(gl.RENDERER), vendor: gl.getParameter(gl.VENDOR), unmasked: false };
    },
  };
})();
