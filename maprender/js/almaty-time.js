/* almaty-map time: which events are shown, by time slice, mode and date range.
 *
 * The time control chooses the slices; the mode decides which go with the current one: it
 * alone ("slice"), every one before it ("cumulative") or the last few ("window"). The shown
 * events are found in one pass over the events and drawn by the shared canvas layer, so a
 * slice switch redraws instead of rebuilding, and a map of 2,000 day slices opens as fast
 * as one of six (slices are not Leaflet layers: adding 2,000 layers, each rebuilding a
 * layer control, took minutes). A date range dragged on the timeline narrows what the
 * slices show.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const MODES = A.constants.modes;
  const PLAY_MS = 2000;
  const DAY = 86400;

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

    /** The slices the mode and the current slice ask for: a contiguous run. */
    _apply() {
      if (this.slices.length) {
        this.activeFrom = this.mode === "slice" ? this.slice
          : this.mode === "window" ? Math.max(0, this.slice - this.window + 1) : 0;
        this.activeTo = this.slice;
      } else {
        this.activeFrom = 0;
        this.activeTo = -1;
      }
      this._recompute();
    },

    /** Whether slice k is shown now. */
    isActive(k) {
      return k >= this.activeFrom && k <= this.activeTo;
    },

    /** The events overlapping any active slice (their slices are a run [s0, s1], and so
     * are the active ones) and the date range. */
    _recompute() {
      const from = this.activeFrom;
      const to = this.activeTo;
      const out = [];
      const range = this.range;
      for (let i = 0; i < this.size; i++) {
        const a = this.s0[i];
        if (a < 0 || a > to || this.s1[i] < from) continue;
        if (range && !(this.starts[i] < range[1] && this.ends[i] > range[0])) continue;
        out.push(i);
      }
      this.shownIndices = Int32Array.from(out);
      this.layer.setShown(this.shownIndices);
      if (this.selected >= 0 && !this._isShown(this.selected)) this.pane.close("card");
      this._changed();
    },

    /** Whether event i is shown now (the same test as _recompute, for one event). */
    _isShown(i) {
      const a = this.s0[i];
      if (a < 0 || a > this.activeTo || this.s1[i] < this.activeFrom) return false;
      return !this.range || (this.starts[i] < this.range[1] && this.ends[i] > this.range[0]);
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
      if (this.range) this._coverRange();
      this._apply();
      return this.state();
    },

    /** Bring the slices a new date range overlaps into the time control's choice, so the
     * range shows its events: the control moves to the last of them, and (outside the
     * story) to "everything up to it" if the mode would leave the first out. */
    _coverRange() {
      const [from, to] = this.range;
      let first = -1;
      let last = -1;
      this.slices.forEach((s, k) => {
        if (Date.parse(s.start) / 1000 < to && Date.parse(s.end) / 1000 > from) {
          if (first < 0) first = k;
          last = k;
        }
      });
      if (first < 0 || (first >= this.activeFrom && last <= this.activeTo)) return;
      this.slice = last;
      const reach = this.mode === "slice" ? last
        : this.mode === "window" ? last - this.window + 1 : 0;
      if (!this.story && first < reach) this.mode = "cumulative";
    },
  };
})(window);
