/* almaty-map API: window.almatyMap for the page, the same calls through postMessage for a
 * page that embeds the map in an <iframe>, and news of every change of view (an
 * "almatymap:change" event on the document, a "change" message to the parent).
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

    /** Tell the page, and the page framing this one, that the view changed. */
    _announce(state) {
      const detail = Object.assign({}, state, { indices: undefined });
      // The ids of every shown event are made only if a listener asks for them.
      let ids = null;
      Object.defineProperty(detail, "shownIds", { enumerable: true,
        get: () => (ids = ids || this.shownIds()) });
      document.dispatchEvent(new CustomEvent("almatymap:change", { detail }));
      if (root.parent && root.parent !== root) {
        root.parent.postMessage({ almatyMap: "change", state: Object.assign({}, detail) },
          "*");
      }
    },

    /** A call from another window: {almatyMap: name, args, id}, answered to its sender. */
    _onMessage(e) {
      const message = e.data;
      if (!message || typeof message !== "object" || typeof message.almatyMap !== "string") return;
      if (!MESSAGE_CALLS.includes(message.almatyMap) || !e.source) return;
      let reply;
      try {
        const args = Array.isArray(message.args) ? message.args.slice(0, 2) : [];
        reply = { almatyMap: "result", id: message.id, call: message.almatyMap,
          value: this.publicApi[message.almatyMap](...args) };
      } catch (error) {
        reply = { almatyMap: "error", id: message.id, call: message.almatyMap,
          error: String(error.message || error) };
      }
      e.source.postMessage(reply, e.origin && e.origin !== "null" ? e.origin : "*");
    },
  };
})(window);
