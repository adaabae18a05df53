/* almaty-map API: window.almatyMap for the page, the same calls through postMessage for a
 * page that embeds the map in an <iframe>, and news of every change of view (an
 * "almatymap:change" event on the document, a "change" message to the parent).
 *
 * Only pages of the allowed origins may make calls and hear of changes: the map's own
 * origin, and those the map was made with (`almaty-map export --embed-origin`, or the
 * server's ALMATY_MAP_FRAME_ANCESTORS for /map). A map opened from a file has no origin of
 * its own (it is "null", shared by every file and sandboxed frame), so it listens to none
 * unless configured. Messages from anyone else are ignored, and nothing is ever posted to
 * "*": what a reader looks at is not told to a page that framed the map uninvited.
 * Methods of the App (almaty-app.js). README.md, "JavaScript API", documents the calls.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const MESSAGE_CALLS = ["events", "shown", "slices", "setSlice", "setMode", "open", "state",
    "story", "storyStep", "setRange"];

  A.apiMethods = {
    api() {
      return Object.freeze({
        events: () => Array.from(this.payload.events.id),
        shown: () => this.shownIds(),
        slices: () => this.slices.map((s) => ({ label: s.label, start: s.start, end: s.end,
          count: s.count })),
        setSlice: (i) => { this.setSlice(i); return this.shownIds(); },
        setMode: (mode) => { this.setMode(mode); return this.shownIds(); },
        story: (on, step) => {
          const state = on === false ? this.stopStory()
            : this.startStory(step === undefined ? (this.story ? this.slice : 0) : step);
          return Object.assign({}, state, { indices: undefined });
        },
        storyStep: (delta) => Object.assign({}, this.storyStep(delta), { indices: undefined }),
        setRange: (from, to) => Object.assign({}, this.setRange(from === null ? null
          : [Date.parse(from) / 1000, Date.parse(to) / 1000]), { indices: undefined }),
        timelinePosition: (id) => {
          const i = this.events.index.get(String(id));
          return this.timeline && i !== undefined ? this.timeline.position(i) : null;
        },
        open: (id, options) => this.open(id, options),
        state: () => Object.assign({}, this.state(), { indices: undefined }),
        geojson: () => this.events.geojson(),
        csv: () => this.events.csv(),
      });
    },

    shownIds() {
      return Array.from(this.shownIndices, (i) => this.payload.events.id[i]);
    },

    /** Listen for calls from the allowed origins. */
    _listen() {
      this.origins = new Set(this.options.embedOrigins || []);
      if (root.location.origin !== "null") this.origins.add(root.location.origin);
      root.addEventListener("message", (e) => this._onMessage(e));
    },

    /** The origin of the page framing this one, if it is allowed; else null. Browsers that
     * name it (location.ancestorOrigins) are asked; elsewhere it is the origin the parent
     * last called from. */
    _parentOrigin() {
      if (!root.parent || root.parent === root) return null;
      const ancestors = root.location.ancestorOrigins;
      const origin = ancestors && ancestors.length ? ancestors[0] : this._callerOrigin;
      return origin && this.origins.has(origin) ? origin : null;
    },

    /** Tell the page, and an allowed page framing this one, that the view changed. */
    _announce(state) {
      const detail = Object.assign({}, state, { indices: undefined });
      // The ids of every shown event are made only if a listener asks for them.
      let ids = null;
      Object.defineProperty(detail, "shownIds", { enumerable: true,
        get: () => (ids = ids || this.shownIds()) });
      document.dispatchEvent(new CustomEvent("almatymap:change", { detail }));
      const parent = this._parentOrigin();
      if (parent) {
        root.parent.postMessage({ almatyMap: "change", state: Object.assign({}, detail) },
          parent);
      }
    },

    /** A call from another window: {almatyMap: name, args, id}, answered to its sender if
     * its origin is allowed, and otherwise ignored. */
    _onMessage(e) {
      const message = e.data;
      if (!message || typeof message !== "object" || typeof message.almatyMap !== "string") return;
      if (!MESSAGE_CALLS.includes(message.almatyMap) || !e.source) return;
      if (!this.origins.has(e.origin)) return;
      if (e.source === root.parent) this._callerOrigin = e.origin;
      let reply;
      try {
        const args = Array.isArray(message.args) ? message.args.slice(0, 2) : [];
        reply = { almatyMap: "result", id: message.id, call: message.almatyMap,
          value: this.publicApi[message.almatyMap](...args) };
      } catch (error) {
        reply = { almatyMap: "error", id: message.id, call: message.almatyMap,
          error: String(error.message || error) };
      }
      e.source.postMessage(reply, e.origin);
    },
  };
})(window);
