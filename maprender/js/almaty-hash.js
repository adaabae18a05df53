/* almaty-map hash: the view (slice, mode, selected event, story, date range) in the URL.
 *
 * The hash is read once, as the map starts, and rewritten in place (replaceState, so the
 * back button is left alone) whenever the view changes: a link gives the same view back.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const MODES = A.constants.modes;

  A.hashMethods = {
    /** Take the view from the hash; what needs the details block waits as _pending*. */
    _readHash() {
      const params = new URLSearchParams(root.location.hash.slice(1));
      if (MODES.includes(params.get("mode"))) this.mode = params.get("mode");
      const slice = Number(params.get("slice"));
      if (params.has("slice") && Number.isInteger(slice) && slice >= 0
        && slice < this.slices.length) this.slice = slice;
      if (params.get("event")) this._pendingOpen = params.get("event");
      if (params.get("story") === "1" && this.hasStory) this._pendingStory = true;
      const range = (params.get("range") || "").split(",").map(Number);
      if (range.length === 2 && range.every(Number.isFinite)) this._pendingRange = range;
    },

    _writeHash(state) {
      const params = new URLSearchParams();
      params.set("slice", String(state.slice));
      params.set("mode", state.mode);
      if (state.selected) params.set("event", state.selected);
      if (state.story) params.set("story", "1");
      if (this.range) params.set("range", this.range.join(","));
      const hash = "#" + params.toString();
      if (root.location.hash !== hash) {
        root.history.replaceState(root.history.state, "", hash);
      }
    },
  };
})(window);
