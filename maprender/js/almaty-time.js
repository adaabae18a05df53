/* almaty-map time: which events are shown, by time slice, mode and date range.
 *
 * Each time slice is a Leaflet FeatureGroup (listed in the layer control); adding one to the
 * map turns its events on in the shared canvas layer, so a slice switch redraws instead of
 * rebuilding. The mode decides which slices go with the current one: it alone ("slice"),
 * every one before it ("cumulative") or the last few ("window"). A date range dragged on the
 * timeline narrows what the slices show.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const MODES = A.constants.modes;
  const PLAY_MS = 2000;
  const DAY = 86400;

  /** One time slice, as a layer the layer control and the time control both switch. */
  A.SliceLayer = L.FeatureGroup.extend({
    initialize: function (index, options) {
      L.FeatureGroup.prototype.initialize.call(this, [], options);
      this.sliceIndex = index;
    },
    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      if (this._app) this._app.sliceToggled(this.sliceIndex, true);
    },
    onRemove: function (map) {
      L.FeatureGroup.prototype.onRemove.call(this, map);
      if (this._app) this._app.sliceToggled(this.sliceIndex, false);
    },
  });
  A.sliceLayer = (index) => new A.SliceLayer(index);

  A.timeMethods = {
    setSlice(index) {
      if (!this.slices.length) return this.state();
      this.slice = Math.min(Math.max(Math.round(Number(index)) || 0, 0), this.slices.length - 1);
      this._apply();
      return this.state();
    },

    setMode(mode) {
      if (!MODES.includes(mode)) throw new Error(`mode must be one of ${MODES.join(", ")}`);
      this.mode = mode;
      this._apply();
      return this.state();
    },

    step(delta) {
      return this.setSlice(this.slice + delta);
    },

    togglePlay() {
      if (this._timer) {
        clearInterval(this._timer);
        this._timer = null;
      } else {
        if (this.slice >= this.slices.length - 1) this.setSlice(0);
        this._timer = setInterval(() => {
          if (this.slice >= this.slices.length - 1) this.togglePlay();
          else this.step(1);
        }, PLAY_MS);
      }
      this._changed();
    },

    /** Put the slice layers on the map that the mode and slice ask for. */
    _apply() {
      const wanted = new Set();
      if (this.slices.length) {
        const first = this.mode === "slice" ? this.slice
          : this.mode === "window" ? Math.max(0, this.slice - this.window + 1) : 0;
        for (let k = first; k <= this.slice; k++) wanted.add(k);
      }
      this._batch++;
      this.sliceLayers.forEach((layer, k) => {
        const on = this.map.hasLayer(layer);
        if (wanted.has(k) && !on) this.map.addLayer(layer);
        if (!wanted.has(k) && on) this.map.removeLayer(layer);
      });
      this._batch--;
      this._recompute();
    },

    sliceToggled(index, on) {
      if (on) this.active.add(index);
      else this.active.delete(index);
      if (!this._batch) this._recompute();
    },

    /** The events in any active slice: one pass with a prefix count over slices. */
    _recompute() {
      const count = new Int32Array(this.slices.length + 1);
      for (let k = 0; k < this.slices.length; k++) {
        count[k + 1] = count[k] + (this.active.has(k) ? 1 : 0);
      }
      const out = [];
      const range = this.range;
      for (let i = 0; i < this.size; i++) {
        const a = this.s0[i];
        if (a < 0 || count[this.s1[i] + 1] - count[a] === 0) continue;
        if (range && !(this.starts[i] < range[1] && this.ends[i] > range[0])) continue;
        out.push(i);
      }
      this.shownIndices = Int32Array.from(out);
      this.layer.setShown(this.shownIndices);
      if (this.selected >= 0 && !out.includes(this.selected)) this.map.closePopup(this.popup);
      this._changed();
    },

    /** Whether event i is shown now (the same test as _recompute, for one event). */
    _isShown(i) {
      const a = this.s0[i];
      if (a < 0) return false;
      if (this.range && !(this.starts[i] < this.range[1] && this.ends[i] > this.range[0])) {
        return false;
      }
      for (let k = a; k <= this.s1[i]; k++) if (this.active.has(k)) return true;
      return false;
    },

    /** Each event's span in epoch seconds; an instant lasts one second, so that a range
     * [from, to) holds it when from <= start < to. */
    _times() {
      const c = this.payload.events;
      this.starts = new Float64Array(this.size);
      this.ends = new Float64Array(this.size);
      for (let i = 0; i < this.size; i++) {
        this.starts[i] = c.t0 + c.start[i];
        this.ends[i] = this.starts[i] + Math.max(c.duration[i], 1);
      }
    },

    /** A drag over the timeline: whole local days from the one under ``from`` to the one
     * under ``to``. The page may take it as its own filter (preventDefault on
     * "almatymap:range"); otherwise the map shows only events overlapping those days. */
    askRange(from, to) {
      const shift = (this.timeline ? this.timeline.offset : 0) * 60;
      const first = Math.floor((from + shift) / DAY) * DAY - shift;
      const last = Math.floor((to + shift) / DAY) * DAY - shift;
      const day = (t) => new Date((t + shift) * 1000).toISOString().slice(0, 10);
      const detail = { start: day(first), end: day(last) };
      const asked = new CustomEvent("almatymap:range", { detail, cancelable: true });
      if (document.dispatchEvent(asked)) this.setRange([first, last + DAY]);
      return detail;
    },

    setRange(range) {
      this.range = range && range[1] > range[0] ? [range[0], range[1]] : null;
      this._recompute();
      return this.state();
    },
  };
})(window);
