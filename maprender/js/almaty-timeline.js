/* almaty-map timeline: the page's events on a time axis under the map.
 *
 * One mark per event, in its category's colour and symbol, in its category's row, so colour
 * is never the only signal; events outside the shown time slices are faded, the open one is
 * ringed, the shown slices are shaded. A click opens the nearest event (as the list and the
 * map do); a drag across dates asks for that date range with a cancelable
 * "almatymap:range" event: the reader's page turns it into its date filter, and where
 * nobody handles it (the standalone export) the map filters itself.
 *
 * Long empty stretches are cut down to a marked break (almaty-timescale.js), so a week of
 * events and a coda months later both stay legible. Drawn on a canvas: 100,000 marks become
 * a per-pixel density. The previous / next buttons step through the events in time order,
 * which is the keyboard's way along the timeline.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const ROW = 9;           // px per category row
  const TOP = 6;           // px above the first row
  const AXIS = 18;         // px for the axis labels
  const DENSITY_OVER = 4000;
  const DRAG_PX = 5;

  A.Timeline = class Timeline {
    constructor(app, slot) {
      this.app = app;
      const t = app.text;
      this.slot = slot;
      this.canvas = A.el("canvas", { className: "am-timeline-canvas", "aria-hidden": "true" });
      this.previous = A.el("button", { type: "button", className: "am-button",
        "aria-label": t.previousEvent, title: t.previousEvent, text: "‹" });
      this.next = A.el("button", { type: "button", className: "am-button",
        "aria-label": t.nextEvent, title: t.nextEvent, text: "›" });
      this.clear = A.el("button", { type: "button", className: "am-button am-timeline-clear",
        hidden: true, text: t.clearDates });
      this.previous.disabled = this.next.disabled = true;
      this.rows = app.payload.categories.length;
      this.canvas.style.height = `${this.height}px`;
      // Built (empty) as the map starts, so the map has its final size before it is
      // fitted to the events; filled by start() once the events' times are read.
      slot.replaceChildren(
        A.el("div", { className: "am-timeline-steps", role: "group",
          "aria-label": t.timeline }, [this.previous, this.next]),
        this.canvas, this.clear);
    }

    start() {
      const app = this.app;
      L.DomEvent.on(this.previous, "click", () => this.stepEvent(-1));
      L.DomEvent.on(this.next, "click", () => this.stepEvent(1));
      L.DomEvent.on(this.clear, "click", () => app.setRange(null));
      this._prepare();
      this._listen();
      // Redrawn whenever its width changes (a window resized, the pane opened or closed).
      new ResizeObserver(() => this.draw()).observe(this.canvas);
      this.draw();
    }

    /** The events in the order they happen, and the rows they are drawn in. */
    _prepare() {
      const app = this.app;
      this.starts = app.starts;
      this.ends = app.ends;
      this.order = Int32Array.from(Array.from(this.starts.keys())
        .sort((a, b) => this.starts[a] - this.starts[b] || a - b));
      // Ticks fall on local midnights at the earliest event's UTC offset: exact for a
      // timezone without daylight saving (Almaty), within an hour otherwise.
      this.offset = this.order.length ? app.events.offset("offset", this.order[0]) : 0;
    }

    get height() {
      return TOP + this.rows * ROW + AXIS;
    }

    /** The epoch-second span of each shown slice, for shading. */
    _activeSpans() {
      return this.app.slices.map((s, k) => ({ k, s })).filter(({ k }) => this.app.isActive(k))
        .map(({ s }) => [Date.parse(s.start) / 1000, Date.parse(s.end) / 1000]);
    }

    draw() {
      const width = this.canvas.clientWidth;
      if (!width || !this.starts.length) {
        this.scale = null;
        return;
      }
      const ratio = root.devicePixelRatio || 1;
      const height = this.height;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.height = `${height}px`;
      const ctx = this.canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const scale = (this.scale = A.timeScale(this.starts, this.ends, width));
      const bottom = TOP + this.rows * ROW;
      ctx.fillStyle = "rgba(11, 87, 208, 0.13)";
      for (const [a, b] of this._activeSpans()) {
        const x0 = scale.x(a);
        ctx.fillRect(x0, 0, Math.max(scale.x(b) - x0, 2), bottom);
      }
      if (this.app.range) {
        ctx.strokeStyle = "#0b57d0";
        ctx.setLineDash([4, 3]);
        const x0 = scale.x(this.app.range[0]);
        ctx.strokeRect(x0, 1, Math.max(scale.x(this.app.range[1]) - x0, 2), bottom - 1);
        ctx.setLineDash([]);
      }
      this._drawAxis(ctx, scale, bottom, width);
      if (this.starts.length > DENSITY_OVER) this._drawDensity(ctx, scale, width);
      else this._drawMarks(ctx, scale);
      if (this._drag) {
        ctx.fillStyle = "rgba(11, 87, 208, 0.25)";
        const [a, b] = [this._drag.from, this._drag.to].sort((p, q) => p - q);
        ctx.fillRect(a, 0, b - a, bottom);
      }
    }

    _drawAxis(ctx, scale, bottom, width) {
      const t = this.app.text;
      const shift = this.offset * 60;
      const pad = (n) => String(n).padStart(2, "0");
      const label = (tick) => {
        const d = new Date((tick.t + shift) * 1000);  // local time, read through UTC
        if (tick.month) return `${t.monthsAlone[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
        if (tick.hour && (d.getUTCHours() || d.getUTCMinutes())) {
          return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
        }
        return `${d.getUTCDate()} ${t.months[d.getUTCMonth()]}`;
      };
      ctx.strokeStyle = "#767676";
      ctx.fillStyle = "#3d3d3d";
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      ctx.lineWidth = 1;
      ctx.beginPath();
      let lastRight = -Infinity;
      scale.segments.forEach((s, k) => {
        ctx.moveTo(s.x0, bottom + 0.5);
        ctx.lineTo(s.x1, bottom + 0.5);
        for (const tick of A.timeTicks(s, this.offset)) {
          const x = Math.round(scale.x(tick.t)) + 0.5;
          ctx.moveTo(x, bottom);
          ctx.lineTo(x, bottom + 4);
          const text = label(tick);
          const w = ctx.measureText(text).width;
          const left = Math.min(Math.max(x - w / 2, 0), width - w);
          if (left > lastRight + 6) {
            ctx.fillText(text, left, bottom + 5);
            lastRight = left + w;
          }
        }
        if (k) {  // a cut-out stretch of time: two slanted strokes
          const mid = s.x0 - scale.gap / 2;
          for (const dx of [-3, 3]) {
            ctx.moveTo(mid + dx - 3, bottom + 5);
            ctx.lineTo(mid + dx + 3, bottom - 5);
          }
        }
      });
      ctx.stroke();
    }

    _rowY(cat) {
      return TOP + cat * ROW + ROW / 2;
    }

    _drawMarks(ctx, scale) {
      const app = this.app;
      const c = app.payload.events;
      const cats = app.payload.categories;
      const shown = new Uint8Array(this.starts.length);
      for (const i of app.shownIndices) shown[i] = 1;
      this.xs = new Float64Array(this.starts.length);
      for (const pass of [0, 1]) {  // faded first, shown on top
        for (const i of this.order) {
          if (shown[i] !== pass) continue;
          const cat = cats[c.category[i]];
          const x = (this.xs[i] = scale.x(this.starts[i]));
          const y = this._rowY(c.category[i]);
          ctx.globalAlpha = pass ? 1 : 0.25;
          ctx.fillStyle = cat.colour;
          const x1 = scale.x(this.ends[i]);
          if (x1 - x > 3) ctx.fillRect(x, y - 1.5, x1 - x, 3);
          ctx.beginPath();
          A.traceSymbol(ctx, cat.symbol, x, y, 3.6);
          ctx.fill();
          ctx.strokeStyle = "#1a1a1a";
          ctx.lineWidth = 0.8;
          ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
      const selected = app.selected;
      if (selected >= 0) {
        ctx.beginPath();
        ctx.arc(this.xs[selected], this._rowY(c.category[selected]), 6.5, 0, Math.PI * 2);
        ctx.strokeStyle = "#0b57d0";
        ctx.lineWidth = 2.5;
        ctx.stroke();
      }
    }

    /** Past a few thousand events: one column of pixels per row, darker where fuller. */
    _drawDensity(ctx, scale, width) {
      const app = this.app;
      const c = app.payload.events;
      const cols = Math.ceil(width);
      const counts = new Uint32Array(this.rows * cols * 2);
      const shown = new Uint8Array(this.starts.length);
      for (const i of app.shownIndices) shown[i] = 1;
      this.xs = new Float64Array(this.starts.length);
      let peak = 1;
      for (let i = 0; i < this.starts.length; i++) {
        const x = (this.xs[i] = scale.x(this.starts[i]));
        const k = (c.category[i] * cols + Math.min(cols - 1, Math.max(0, x | 0))) * 2 + shown[i];
        counts[k] += 1;
        if (counts[k] > peak) peak = counts[k];
      }
      const cats = app.payload.categories;
      for (let row = 0; row < this.rows; row++) {
        ctx.fillStyle = cats[row].colour;
        for (let x = 0; x < cols; x++) {
          for (const pass of [0, 1]) {
            const n = counts[(row * cols + x) * 2 + pass];
            if (!n) continue;
            ctx.globalAlpha = (pass ? 0.35 : 0.08) + (pass ? 0.65 : 0.2) * Math.sqrt(n / peak);
            ctx.fillRect(x, this._rowY(row) - 3.5, 1, 7);
          }
        }
      }
      ctx.globalAlpha = 1;
    }

    /** The event nearest a point of the canvas, within a few pixels. */
    eventAt(x, y) {
      if (!this.xs) return -1;
      const c = this.app.payload.events;
      let best = -1;
      let bestDistance = 7 * 7;
      for (let i = 0; i < this.xs.length; i++) {
        const dx = this.xs[i] - x;
        if (dx > 7 || dx < -7) continue;
        const dy = this._rowY(c.category[i]) - y;
        const d = dx * dx + dy * dy;
        const better = d < bestDistance || (d === bestDistance && this.app._isShown(i));
        if (better) {
          best = i;
          bestDistance = d;
        }
      }
      return best;
    }

    /** Where an event's mark is, in page coordinates (for tests and embedding pages). */
    position(i) {
      if (!this.xs || i < 0) return null;
      const box = this.canvas.getBoundingClientRect();
      return { x: box.left + this.xs[i], y: box.top + this._rowY(this.app.payload.events
        .category[i]) };
    }

    /** The previous or next event in time: while a date range is set, among the events
     * it shows; otherwise among all, the time control following to the event's slice. */
    stepEvent(delta) {
      const app = this.app;
      const allowed = new Uint8Array(this.starts.length).fill(app.range ? 0 : 1);
      if (app.range) for (const i of app.shownIndices) allowed[i] = 1;
      let at = app.selected >= 0 ? this.order.indexOf(app.selected) : (delta > 0 ? -1
        : this.order.length);
      for (at += delta; at >= 0 && at < this.order.length; at += delta) {
        const i = this.order[at];
        if (allowed[i] && app.s0[i] >= 0) {
          app.open(app.payload.events.id[i], { focus: false });
          return;
        }
      }
    }

    _listen() {
      const canvas = this.canvas;
      const point = (e) => {
        const box = canvas.getBoundingClientRect();
        return [e.clientX - box.left, e.clientY - box.top];
      };
      L.DomEvent.on(canvas, "pointerdown", (e) => {
        if (e.button !== 0 || !this.scale) return;
        const [x, y] = point(e);
        this._press = { x, y };
        canvas.setPointerCapture(e.pointerId);
      });
      L.DomEvent.on(canvas, "pointermove", (e) => {
        const [x, y] = point(e);
        if (this._press && Math.abs(x - this._press.x) >= DRAG_PX) {
          this._drag = { from: this._press.x, to: x };
          this.draw();
        } else if (!this._press) {
          canvas.classList.toggle("am-pointer", this.eventAt(x, y) >= 0);
        }
      });
      L.DomEvent.on(canvas, "pointerup", (e) => {
        if (!this._press) return;
        const [x, y] = point(e);
        const drag = this._drag;
        this._press = null;
        this._drag = null;
        if (drag) {
          const [a, b] = [drag.from, x].sort((p, q) => p - q);
          this.app.askRange(this.scale.t(a), this.scale.t(b));
          this.draw();
          return;
        }
        const i = this.eventAt(x, y);
        if (i >= 0) this.app.open(this.app.payload.events.id[i], { focus: false });
      });
      L.DomEvent.on(canvas, "pointercancel", () => {
        this._press = null;
        this._drag = null;
        this.draw();
      });
    }

    update(state) {
      this.clear.hidden = !this.app.range;
      const steps = this.app.range ? state.indices.length : this.starts.length;
      this.previous.disabled = this.next.disabled = !steps;
      this.draw();
    }
  };
})(window);
