/* almaty-map canvas layer: draws every shown event in one pass, and finds the one under
 * the pointer.
 *
 * One canvas instead of one Leaflet object per event: 100,000 events draw in a few tens of
 * milliseconds, and switching the time slice only redraws. Positions are projected once
 * (Web Mercator, zoom 0) and scaled per zoom. A location known only approximately is drawn
 * as a dashed circle of its documented radius with a hollow symbol, never as a solid pin.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const EARTH_CIRCUMFERENCE = 40075016.686;
  const SYMBOL_RADIUS = 7;
  const HOLLOW_RADIUS = 5;
  const PADDING = 0.25;

  /** Add one symbol to the current path (shape per category, for greyscale reading). */
  A.traceSymbol = function (ctx, symbol, x, y, r) {
    const poly = (points) => {
      ctx.moveTo(x + points[0][0] * r, y + points[0][1] * r);
      for (let k = 1; k < points.length; k++) ctx.lineTo(x + points[k][0] * r, y + points[k][1] * r);
      ctx.closePath();
    };
    switch (symbol) {
      case "square": poly([[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]); break;
      case "triangle": poly([[0, -1.1], [1, 0.75], [-1, 0.75]]); break;
      case "triangle-down": poly([[0, 1.1], [1, -0.75], [-1, -0.75]]); break;
      case "diamond": poly([[0, -1.15], [1.05, 0], [0, 1.15], [-1.05, 0]]); break;
      case "hexagon": poly([[1, 0], [0.5, 0.87], [-0.5, 0.87], [-1, 0], [-0.5, -0.87], [0.5, -0.87]]); break;
      case "star": {
        const points = [];
        for (let k = 0; k < 10; k++) {
          const angle = -Math.PI / 2 + (k * Math.PI) / 5;
          const radius = k % 2 ? 0.5 : 1.2;
          points.push([Math.cos(angle) * radius, Math.sin(angle) * radius]);
        }
        poly(points);
        break;
      }
      case "cross": poly([[-0.35, -1], [0.35, -1], [0.35, -0.35], [1, -0.35], [1, 0.35], [0.35, 0.35],
        [0.35, 1], [-0.35, 1], [-0.35, 0.35], [-1, 0.35], [-1, -0.35], [-0.35, -0.35]]); break;
      default:
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, Math.PI * 2);
    }
  };

  A.EventCanvasLayer = L.Layer.extend({
    options: { pane: "almatyEvents", hitRadius: 11 },

    initialize: function (events, payload, options) {
      L.setOptions(this, options);
      this._events = events;
      this._payload = payload;
      this._shown = new Int32Array(0);
      this._selected = -1;
    },

    setShown: function (indices) {
      this._shown = indices;
      this._draw();
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
      if (!this._world) this._project(map);
      map.on("moveend viewreset resize", this._reset, this);
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      this._reset();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend viewreset resize", this._reset, this);
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
    },

    /** World coordinates at zoom 0 for every anchor, shape vertex and precision radius. */
    _project: function (map) {
      const c = this._payload.events;
      const n = this._events.size;
      const wx = new Float64Array(n);
      const wy = new Float64Array(n);
      const radius = new Float64Array(n);
      const exact = new Uint8Array(n);
      const precisions = this._payload.precisions;
      const shapes = [];
      for (let i = 0; i < n; i++) {
        const p = map.project([c.y[i], c.x[i]], 0);
        wx[i] = p.x;
        wy[i] = p.y;
        const metres = precisions[c.geo_precision[i]].radius;
        exact[i] = metres === 0 ? 1 : 0;
        radius[i] = (metres / (EARTH_CIRCUMFERENCE * Math.cos((c.y[i] * Math.PI) / 180))) * 256;
        if (c.shapes[i]) shapes[i] = this._projectShape(map, c.shapes[i]);
      }
      this._world = { wx, wy, radius, exact, shapes };
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
      L.DomUtil.setPosition(this._canvas, topLeft);
      this._canvas.width = Math.round(width * ratio);
      this._canvas.height = Math.round(height * ratio);
      this._canvas.style.width = width + "px";
      this._canvas.style.height = height + "px";
      this._ratio = ratio;
      this._size = [width, height];
      this._pad = pad;
      this._offset = map.getPixelOrigin().add(topLeft);
      this._draw();
    },

    _draw: function () {
      if (!this._map || !this._world) return;
      const ctx = this._ctx;
      const { wx, wy, radius, exact: isExact, shapes } = this._world;
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
      for (let k = 0; k < shown.length; k++) {
        const i = shown[k];
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
      this._drawCircles(ctx, vague, cats, scale, ox, oy);
      ctx.setLineDash([]);
      cats.forEach((cat, c) => {
        this._drawSymbols(ctx, vague[c], cat, HOLLOW_RADIUS, "#ffffff", cat.colour, 2, scale, ox, oy);
        this._drawSymbols(ctx, exact[c], cat, SYMBOL_RADIUS, cat.colour, "#1a1a1a", 1, scale, ox, oy);
      });
      if (this._selected >= 0) {
        const i = this._selected;
        ctx.beginPath();
        ctx.arc(wx[i] * scale - ox, wy[i] * scale - oy, SYMBOL_RADIUS + 5, 0, Math.PI * 2);
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#000000";
        ctx.stroke();
      }
    },

    _drawShape: function (ctx, i, shape, colour, isExact, scale, ox, oy) {
      const path = new Path2D();
      for (const polygon of shape.parts) {
        for (const ring of polygon) {
          ring.forEach((p, k) => {
            const x = p[0] * scale - ox;
            const y = p[1] * scale - oy;
            if (k === 0) path.moveTo(x, y);
            else path.lineTo(x, y);
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
      return { index: i, path, line: shape.line };
    },

    _drawCircles: function (ctx, groups, cats, scale, ox, oy) {
      const { wx, wy, radius } = this._world;
      const seen = new Set();
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      groups.forEach((indices, c) => {
        if (!indices.length) return;
        ctx.beginPath();
        for (const i of indices) {
          const x = wx[i] * scale - ox;
          const y = wy[i] * scale - oy;
          const r = Math.max(radius[i] * scale, HOLLOW_RADIUS + 4);
          const key = `${Math.round(x)},${Math.round(y)},${Math.round(r)}`;
          if (seen.has(c + key)) continue;
          seen.add(c + key);
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, Math.PI * 2);
        }
        ctx.strokeStyle = cats[c].colour;
        ctx.stroke();
      });
    },

    _drawSymbols: function (ctx, indices, cat, r, fill, stroke, lineWidth, scale, ox, oy) {
      if (!indices.length) return;
      const { wx, wy } = this._world;
      ctx.beginPath();
      for (const i of indices) A.traceSymbol(ctx, cat.symbol, wx[i] * scale - ox, wy[i] * scale - oy, r);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.lineWidth = lineWidth;
      ctx.strokeStyle = stroke;
      ctx.stroke();
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
      for (let k = shown.length - 1; k >= 0; k--) {
        const i = shown[k];
        if (shapes[i]) continue;
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
