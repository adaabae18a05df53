/* almaty-map canvas layer: draws every shown event in one pass, and finds the one under
 * the pointer.
 *
 * Two canvases instead of one Leaflet object per event: areas and dashed precision circles
 * are drawn with the canvas path API below; the symbols, which can be 100,000, are copied as
 * pre-drawn sprites (almaty-symbols.js) straight into the pixels of the canvas above.
 * Switching the time slice only redraws. Positions are projected once (Web Mercator, zoom
 * 0) and scaled per zoom. A location known only approximately is drawn as a faint dashed
 * circle of its documented radius with a hollow symbol, never as a solid pin; one known
 * only to the city is not drawn at all (a 10 km ring would be the largest thing on the map
 * and say the least): the map lists those apart, as "place not known".
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const EARTH_CIRCUMFERENCE = 40075016.686;
  const SYMBOL_RADIUS = A.SYMBOL_RADIUS;
  const HOLLOW_RADIUS = A.HOLLOW_RADIUS;
  const PADDING = 0.25;
  const CIRCLE_LIMIT = 1500;

  A.EventCanvasLayer = L.Layer.extend({
    options: { pane: "almatyEvents", hitRadius: 11 },

    initialize: function (payload, options) {
      L.setOptions(this, options);
      this._payload = payload;
      this._shown = new Int32Array(0);
      this._selected = -1;
    },

    setShown: function (indices) {
      this._shown = indices;
      this._draw();
    },

    /** Draw another set of events (a tiled map's, as its tiles arrive): project them anew. */
    setPayload: function (payload, indices) {
      this._payload = payload;
      this._world = null;
      if (this._map) this._project(this._map);
      this.setShown(indices);
    },

    /** Hold drawing while the map is being set up, then draw once. */
    hold: function (held) {
      this._held = held;
      if (!held) this._draw();
    },

    setSelected: function (index) {
      this._selected = index;
      this._draw();
    },

    onAdd: function (map) {
      const pane = map.getPane(this.options.pane) || map.createPane(this.options.pane);
      this._canvas = L.DomUtil.create("canvas", "am-canvas leaflet-zoom-hide", pane);
      this._canvas.setAttribute("aria-hidden", "true");
      this._ctx = this._canvas.getContext("2d");
      this._symbolCanvas = L.DomUtil.create("canvas", "am-canvas leaflet-zoom-hide", pane);
      this._symbolCanvas.setAttribute("aria-hidden", "true");
      this._symbolCtx = this._symbolCanvas.getContext("2d");
      if (!this._world) this._project(map);
      map.on("moveend viewreset resize", this._reset, this);
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      this._reset();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      L.DomUtil.remove(this._symbolCanvas);
      map.off("moveend viewreset resize", this._reset, this);
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
    },

    /** World coordinates at zoom 0 for every anchor, shape vertex and precision radius. */
    _project: function (map) {
      const c = this._payload.events;
      const n = c.n;
      const wx = new Float64Array(n);
      const wy = new Float64Array(n);
      const radius = new Float64Array(n);
      const exact = new Uint8Array(n);
      const placed = new Uint8Array(n);
      const precisions = this._payload.precisions;
      const shapes = [];
      for (let i = 0; i < n; i++) {
        const p = map.project([c.y[i], c.x[i]], 0);
        wx[i] = p.x;
        wy[i] = p.y;
        const precision = precisions[c.geo_precision[i]];
        const metres = precision.radius;
        exact[i] = metres === 0 ? 1 : 0;
        placed[i] = precision.drawn === false ? 0 : 1;
        radius[i] = (metres / (EARTH_CIRCUMFERENCE * Math.cos((c.y[i] * Math.PI) / 180))) * 256;
        if (c.shapes[i]) shapes[i] = this._projectShape(map, c.shapes[i]);
      }
      this._world = { wx, wy, radius, exact, placed, shapes };
    },

    _projectShape: function (map, geometry) {
      const ring = (coordinates) => coordinates.map((c) => {
        const p = map.project([c[1], c[0]], 0);
        return [p.x, p.y];
      });
      switch (geometry.type) {
        case "LineString": return { line: true, parts: [[ring(geometry.coordinates)]] };
        case "Polygon": return { line: false, parts: [geometry.coordinates.map(ring)] };
        case "MultiPolygon":
          return { line: false, parts: geometry.coordinates.map((p) => p.map(ring)) };
        default: return null;
      }
    },

    _reset: function () {
      const map = this._map;
      if (!map) return;
      const size = map.getSize();
      const pad = size.multiplyBy(PADDING).round();
      const topLeft = map.containerPointToLayerPoint(pad.multiplyBy(-1)).round();
      const width = size.x + 2 * pad.x;
      const height = size.y + 2 * pad.y;
      const ratio = root.devicePixelRatio || 1;
      for (const canvas of [this._canvas, this._symbolCanvas]) {
        L.DomUtil.setPosition(canvas, topLeft);
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
        canvas.style.width = width + "px";
        canvas.style.height = height + "px";
      }
      if (ratio !== this._ratio) this._sprites = new Map();
      this._ratio = ratio;
      this._size = [width, height];
      this._pad = pad;
      this._offset = map.getPixelOrigin().add(topLeft);
      this._draw();
    },

    _draw: function () {
      if (!this._map || !this._world || this._held) return;
      const ctx = this._ctx;
      const { wx, wy, radius, exact: isExact, placed, shapes } = this._world;
      const cats = this._payload.categories;
      const category = this._payload.events.category;
      const scale = Math.pow(2, this._map.getZoom());
      const ox = this._offset.x;
      const oy = this._offset.y;
      const [width, height] = this._size;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this._canvas.width, this._canvas.height);
      ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);

      const exact = cats.map(() => []);
      const vague = cats.map(() => []);
      const areaPaths = [];
      const shown = this._shown;
      this.largest = null;
      for (let k = 0; k < shown.length; k++) {
        const i = shown[k];
        if (!placed[i]) continue;
        if (shapes[i]) {
          areaPaths.push(this._drawShape(ctx, i, shapes[i], cats[category[i]].colour,
            isExact[i] === 1, scale, ox, oy));
          continue;
        }
        const x = wx[i] * scale - ox;
        const y = wy[i] * scale - oy;
        const r = radius[i] * scale;
        if (x < -r - 20 || y < -r - 20 || x > width + r + 20 || y > height + r + 20) continue;
        (isExact[i] ? exact : vague)[category[i]].push(i);
      }
      this._areaPaths = areaPaths;
      this.drawn = {
        areas: areaPaths.length,
        symbols: exact.concat(vague).reduce((sum, list) => sum + list.length, 0),
      };
      for (const area of areaPaths) this._note(area.index, area.size);
      this._drawCircles(ctx, vague, cats, scale, ox, oy);
      ctx.setLineDash([]);
      this._drawSymbols(vague, exact, scale, ox, oy);
      if (this._selected >= 0 && placed[this._selected]) {
        const i = this._selected;
        const top = this._symbolCtx;
        top.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
        top.beginPath();
        top.arc(wx[i] * scale - ox, wy[i] * scale - oy, SYMBOL_RADIUS + 5, 0, Math.PI * 2);
        top.lineWidth = 3;
        top.strokeStyle = "#000000";
        top.stroke();
      }
    },

    /** A category's symbol as pixels (solid or hollow), made once per device pixel ratio. */
    _sprite: function (cat, hollow) {
      const key = `${cat.symbol}|${cat.colour}|${hollow ? 1 : 0}`;
      let sprite = this._sprites.get(key);
      if (!sprite) {
        sprite = A.symbolSprite(cat, hollow, this._ratio);
        this._sprites.set(key, sprite);
      }
      return sprite;
    },

    /** Copy each shown symbol's sprite into the top canvas's pixels. */
    _drawSymbols: function (vague, exact, scale, ox, oy) {
      const { width, height } = this._symbolCanvas;
      const image = this._symbolCtx.createImageData(width, height);
      const out = new Uint32Array(image.data.buffer);
      const view = { wx: this._world.wx, wy: this._world.wy, scale, ox, oy, ratio: this._ratio };
      const stamp = (indices, sprite) => A.stampSprite(out, width, height, sprite, indices, view);
      this._payload.categories.forEach((cat, c) => {
        if (vague[c].length) stamp(vague[c], this._sprite(cat, true));
        if (exact[c].length) stamp(exact[c], this._sprite(cat, false));
      });
      this._symbolCtx.putImageData(image, 0, 0);
    },

    _drawShape: function (ctx, i, shape, colour, isExact, scale, ox, oy) {
      const path = new Path2D();
      const box = [Infinity, Infinity, -Infinity, -Infinity];
      for (const polygon of shape.parts) {
        for (const ring of polygon) {
          ring.forEach((p, k) => {
            const x = p[0] * scale - ox;
            const y = p[1] * scale - oy;
            if (k === 0) path.moveTo(x, y);
            else path.lineTo(x, y);
            box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y);
            box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y);
          });
          if (!shape.line) path.closePath();
        }
      }
      ctx.setLineDash(isExact ? [] : [6, 4]);
      if (!shape.line) {
        ctx.globalAlpha = 0.25;
        ctx.fillStyle = colour;
        ctx.fill(path, "evenodd");
        ctx.globalAlpha = 1;
      }
      ctx.lineWidth = shape.line ? 4 : 2;
      ctx.strokeStyle = colour;
      ctx.stroke(path);
      return { index: i, path, line: shape.line,
        size: Math.max(box[2] - box[0], box[3] - box[1]) };
    },

    /** Keep the largest shape drawn (its event and size in px), so that what carries the
     * most ink can be checked against how much is known. */
    _note: function (index, size) {
      if (!this.largest || size > this.largest.size) this.largest = { index, size };
    },

    /** The dashed precision circles, one per distinct place and radius. Past
     * CIRCLE_LIMIT of them the view is a thicket in which no single circle can be read (and
     * rasterising tens of thousands of dashed arcs takes seconds), so they are left out
     * until the reader zooms in; the hollow symbol still marks every imprecise place. */
    _drawCircles: function (ctx, groups, cats, scale, ox, oy) {
      const { wx, wy, radius } = this._world;
      const seen = new Set();
      const circles = cats.map(() => []);
      let count = 0;
      groups.forEach((indices, c) => {
        for (const i of indices) {
          const x = wx[i] * scale - ox;
          const y = wy[i] * scale - oy;
          const r = Math.max(radius[i] * scale, HOLLOW_RADIUS + 4);
          const key = `${c},${Math.round(x)},${Math.round(y)},${Math.round(r)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          circles[c].push(x, y, r);
          this._note(i, 2 * r);
          if (++count > CIRCLE_LIMIT) return;
        }
      });
      this.circlesDrawn = count <= CIRCLE_LIMIT;
      if (!this.circlesDrawn) return;
      // Faint: the circle says how little is known, so it must not outweigh the symbol.
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1;
      ctx.globalAlpha = 0.7;
      circles.forEach((list, c) => {
        if (!list.length) return;
        ctx.beginPath();
        for (let k = 0; k < list.length; k += 3) {
          ctx.moveTo(list[k] + list[k + 2], list[k + 1]);
          ctx.arc(list[k], list[k + 1], list[k + 2], 0, Math.PI * 2);
        }
        ctx.strokeStyle = cats[c].colour;
        ctx.stroke();
      });
      ctx.globalAlpha = 1;
    },

    /** The events drawn under a container point, nearest first: symbols within the hit
     * radius, or else the areas and lines containing the point. Several events can share a
     * place (all those known only to the city), so this is a list. */
    hitAll: function (point) {
      if (!this._world) return [];
      const { wx, wy, shapes } = this._world;
      const scale = Math.pow(2, this._map.getZoom());
      const x = point.x + this._pad.x;
      const y = point.y + this._pad.y;
      const limit = this.options.hitRadius * this.options.hitRadius;
      const near = [];
      const shown = this._shown;
      const placed = this._world.placed;
      for (let k = shown.length - 1; k >= 0; k--) {
        const i = shown[k];
        if (shapes[i] || !placed[i]) continue;
        const dx = wx[i] * scale - this._offset.x - x;
        const dy = wy[i] * scale - this._offset.y - y;
        const distance = dx * dx + dy * dy;
        if (distance < limit) near.push([distance, i]);
      }
      if (near.length) return near.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => p[1]);
      const inside = [];
      this._ctx.lineWidth = 10;
      for (let k = (this._areaPaths || []).length - 1; k >= 0; k--) {
        const area = this._areaPaths[k];
        const hit = area.line ? this._ctx.isPointInStroke(area.path, x, y)
          : this._ctx.isPointInPath(area.path, x, y, "evenodd");
        if (hit) inside.push(area.index);
      }
      return inside;
    },

    _onClick: function (e) {
      const indices = this.hitAll(e.containerPoint);
      if (indices.length) this.fire("eventclick", { indices, latlng: e.latlng });
    },

    _onMove: function (e) {
      if (this._moveQueued) return;
      this._moveQueued = true;
      root.requestAnimationFrame(() => {
        this._moveQueued = false;
        if (!this._map) return;
        const indices = this.hitAll(e.containerPoint);
        this._map.getContainer().classList.toggle("am-pointer", indices.length > 0);
        const key = indices.join(",");
        if (key !== this._hovered) {
          this._hovered = key;
          this.fire("eventhover", { indices, latlng: e.latlng });
        }
      });
    },
  });
})(window);
