/* almaty-map hash: the view (slice, mode, selected event, story step, date range) in the URL.
 *
 * The hash is read once, as the map starts, and rewritten in place (replaceState, so the
 * back button is left alone) whenever the view changes: a link gives the same view back.
 * Outside the story: slice=K (0-based) and mode. In the story: story=1 and step=N, counted
 * from 1 as the reader sees it ("Step N of 6"), with the mode the reader goes back to;
 * #story=1 alone starts at the first step, and the older #story=1&slice=K still works.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const MODES = A.constants.modes;

  /** A whole number in [low, high], or null. */
  function whole(text, low, high) {
    if (text === null || !/^\d+$/.test(text)) return null;
    const n = Number(text);
    return n >= low && n <= high ? n : null;
  }

  A.hashMethods = {
    /** Take the view from the hash; what needs the details block waits as _pending*. */
    _readHash() {
      const params = new URLSearchParams(root.location.hash.slice(1));
      const last = this.slices.length - 1;
      if (MODES.includes(params.get("mode"))) this.mode = params.get("mode");
      const slice = whole(params.get("slice"), 0, last);
      if (slice !== null) this.slice = slice;
      if (params.get("event")) this._pendingOpen = params.get("event");
      if (params.get("story") === "1" && this.hasStory) {
        const step = whole(params.get("step"), 1, last + 1);
        this._pendingStory = step !== null ? step - 1 : slice !== null ? slice : 0;
      }
      const range = (params.get("range") || "").split(",").map(Number);
      if (range.length === 2 && range.every(Number.isFinite)) this._pendingRange = range;
    },

    _writeHash(state) {
      const params = new URLSearchParams();
      if (state.story) {
        params.set("story", "1");
        params.set("step", String(state.slice + 1));
        params.set("mode", this._storyMode || state.mode);
      } else {
        params.set("slice", String(state.slice));
        params.set("mode", state.mode);
      }
      if (state.selected) params.set("event", state.selected);
      if (this.range) params.set("range", this.range.join(","));
      const hash = "#" + params.toString();
      if (root.location.hash !== hash) {
        root.history.replaceState(root.history.state, "", hash);
      }
    },
  };
})(window);
