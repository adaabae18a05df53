/* almaty-map app: the map's state, and what starts it.
 *
 * The App holds what the parts share (the current slice and mode, the shown and selected
 * events, the date range, story or not), builds the canvas layer and the controls, and tells
 * every part when the view changes. Its methods come from one module per job:
 *   almaty-time.js    time slices, modes and the date range: which events are shown
 *   almaty-story.js   the story hand-off
 *   almaty-select.js  popups and hover for events
 *   almaty-places.js  the reference places
 *   almaty-view.js    fitting the map to the shown events
 *   almaty-hash.js    the view in the URL hash
 *   almaty-api.js     window.almatyMap, postMessage and change events
 * The map draws from the first data block at once; window.almatyMap appears, and
 * "almatymap:ready" is dispatched, when the second is in (almaty-data.js reads them).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;

  let counter = 0;

  class App {
    constructor(map, payload, refs, options) {
      this.map = map;
      this.payload = payload;
      this.options = options || {};
      this.events = null;  // the details arrive after the first drawing (complete())
      this.size = payload.events.n;
      this.text = payload.text;
      this.language = payload.language;
      this.slices = payload.slices;
      this.sliceLayers = refs.slices;
      this.window = payload.window;
      this.compact = map.getSize().x < 700;
      this.s0 = Int32Array.from(payload.events.s0);
      this.s1 = Int32Array.from(payload.events.s1);
      this.outside = this.s0.filter((v) => v < 0).length;
      this.mode = payload.mode;
      this.slice = Math.max(this.slices.length - 1, 0);
      this.active = new Set();
      this.selected = -1;
      this.range = null;  // [from, to) in epoch seconds, when a timeline drag set one
      this.story = false;
      this.hasStory = this.slices.some((s) => s.caption);
      this.shownIndices = new Int32Array(0);
      this._batch = 0;
      this.uidPrefix = `am${counter++}`;

      map.createPane("almatyEvents").style.zIndex = 450;
      this.layer = new A.EventCanvasLayer(payload);
      this.layer.hold(true);
      this.layer.addTo(map);
      this.layer.on("eventclick", (e) => this._clicked(e.indices, e.latlng));
      this.layer.on("eventhover", (e) => this._hover(e.indices));
      this._fillPlaces(refs.places);
      this.sliceLayers.forEach((layer) => { layer._app = this; });
      this.time = new A.TimeControl(this).addTo(map);
      // On a narrow map the bottom edge belongs to the time control (or the story).
      new A.Legend(this, { position: this.compact ? "topright" : "bottomright" }).addTo(map);
      if (this.hasStory) this.storyControl = new A.StoryControl(this);
      map.on("popupclose", (e) => {
        if (e.popup === this.popup) this._select(-1);
      });
      this._readHash();
      if (this._pendingStory) this.startStory(this.slice, { focus: false });
      else {
        this._apply();
        this._fit();
      }
      this.layer.hold(false);
    }

    /** Take in the second data block: now popups, the list, downloads and the API work. */
    complete(details) {
      Object.assign(this.payload.events, details.events);
      this.payload.strings = details.strings;
      this.events = new A.Events(this.payload);
      this._times();
      if (this.options.about !== false) new A.About(this).addTo(this.map);
      if (this.options.list !== false) this.list = new A.EventList(this).addTo(this.map);
      const slot = this.map.getContainer().parentElement.querySelector(":scope > .am-timeline");
      if (slot && this.options.timeline !== false) this.timeline = new A.Timeline(this, slot);
      if (this._pendingRange) this.setRange(this._pendingRange);
      document.addEventListener("keydown", (e) => this._storyKey(e));
      this._changed();
      const selected = this._pendingOpen;
      if (selected) this.open(selected);
      root.addEventListener("message", (e) => this._onMessage(e));
    }

    uid(name) {
      return `${this.uidPrefix}-${name}`;
    }

    /** A heading tag ``depth`` levels below the map's title, so headings nest in order
     * whether the map is a page of its own or part of one. */
    heading(depth) {
      return `h${Math.min((this.options.headingLevel || 1) + depth, 6)}`;
    }

    state() {
      return {
        slice: this.slice,
        mode: this.mode,
        window: this.window,
        label: this.slices[this.slice] ? this.slices[this.slice].label : null,
        shown: this.shownIndices.length,
        selected: this.selected >= 0 ? this.payload.events.id[this.selected] : null,
        selectedIndex: this.selected,
        playing: Boolean(this._timer),
        story: this.story,
        range: this.range ? this.range.map((t) => new Date(t * 1000).toISOString()) : null,
        indices: this.shownIndices,
      };
    }

    /** The view changed: bring every part up to date. */
    _changed() {
      const state = this.state();
      if (this.time) this.time.update(state);
      if (this.story) this.storyControl.update(state);
      if (!this.events) return;  // the rest waits for the details block
      if (this.list) this.list.update(state);
      if (this.timeline) this.timeline.update(state);
      this._writeHash(state);
      this._announce(state);
    }
  }
  Object.assign(App.prototype, A.timeMethods, A.storyMethods, A.selectMethods, A.placeMethods,
    A.viewMethods, A.hashMethods, A.apiMethods);
  A.App = App;

  /** Start the map: draw from the first data block at once, then read the second and
   * publish window.almatyMap. */
  A.start = function (map, dataElementId, refs, options) {
    performance.mark("almaty-map:start");
    const app = new App(map, A.readData(document.getElementById(dataElementId)), refs,
      options);
    performance.mark("almaty-map:drawn");
    return A.readLater(options.detailsId).then((details) => {
      app.complete(details);
      app.publicApi = app.api();
      root.almatyMap = app.publicApi;
      A.current = app;
      performance.mark("almaty-map:ready");
      document.dispatchEvent(new CustomEvent("almatymap:ready"));
      return app;
    });
  };
})(window);
