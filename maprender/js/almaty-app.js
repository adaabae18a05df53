/* almaty-map app: the map's state, and what starts it.
 *
 * The App holds what the parts share (the current slice and mode, the shown and selected
 * events, the date range, story or not), builds the canvas layer, the pane, the docked time
 * control and the corner controls, and tells every part when the view changes. Its methods
 * come from one module per job:
 *   almaty-time.js    time slices, modes and the date range: which events are shown
 *   almaty-story.js   the story hand-off
 *   almaty-select.js  cards and hover for events
 *   almaty-views.js   the pane's other views: the map key, lists, about
 *   almaty-places.js  the reference places
 *   almaty-view.js    fitting the map to the shown events, keeping the open one in view
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
      this.bases = refs.bases || [];
      this.window = payload.window;
      this.s0 = Int32Array.from(payload.events.s0);
      this.s1 = Int32Array.from(payload.events.s1);
      this.outside = this.s0.filter((v) => v < 0).length;
      this.mode = payload.mode;
      this.slice = 0;  // the first period: a story's first step, a timeline's start
      this.activeFrom = 0;
      this.activeTo = -1;
      this.selected = -1;
      this.range = null;  // [from, to) in epoch seconds, when a timeline drag set one
      this.story = false;
      this.hasStory = this.slices.some((s) => s.caption);
      this.shownIndices = new Int32Array(0);
      this.uidPrefix = `am${counter++}`;

      const frame = map.getContainer().parentElement;
      const slot = (name) => frame.querySelector(`:scope > .am-${name}`);
      map.createPane("almatyEvents").style.zIndex = 450;
      this.layer = new A.EventCanvasLayer(payload);
      this.layer.hold(true);
      this.layer.addTo(map);
      this.layer.on("eventclick", (e) => this._clicked(e.indices, e.latlng));
      this.layer.on("eventhover", (e) => this._hover(e.indices));
      this._fillPlaces(refs.places);
      this.time = new A.TimeControl(this, slot("dock"));
      if (slot("timeline") && this.options.timeline !== false) {
        this.timeline = new A.Timeline(this, slot("timeline"));
      }
      this.pane = new A.Pane(this, slot("pane"));
      if (this.hasStory) this.storyPanel = new A.StoryPanel(this, this.pane.storySlot);
      this.controls = [];
      if (this.options.about !== false) this.controls.push(new A.TitleBox(this));
      this.controls.push(new A.UnplacedButton(this), new A.Toolbar(this));
      this.controls.forEach((control) => control.addTo(map));
      this._readHash();
      if (this._pendingStory !== undefined) this.startStory(this._pendingStory, { focus: false });
      else {
        this._apply();
        this.pane.layout();
        this._fit();
      }
      this.layer.hold(false);
      new ResizeObserver(() => this._resized()).observe(map.getContainer());
    }

    /** Take in the second data block: now cards, lists, downloads and the API work. */
    complete(details) {
      this._listen();
      Object.assign(this.payload.events, details.events);
      this.payload.strings = details.strings;
      this.events = new A.Events(this.payload);
      this._times();
      if (this.timeline) this.timeline.start();
      if (this._pendingRange) this.setRange(this._pendingRange);
      document.addEventListener("keydown", (e) => this._storyKey(e));
      this._changed();
      const selected = this._pendingOpen;
      if (selected) this.open(selected);
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
      this.time.update(state);
      if (this.story) this.storyPanel.update(state);
      this._paneChanged();
      if (!this.events) return;  // the rest waits for the details block
      if (this.timeline && this.timeline.starts) this.timeline.update(state);
      this._writeHash(state);
      this._announce(state);
    }

    /** The pane's view changed: the buttons that open views say which is open. */
    _paneChanged() {
      const view = this.pane.standing ? null : this.pane.view;
      this.controls.forEach((control) => control.update(view));
    }
  }
  Object.assign(App.prototype, A.timeMethods, A.storyMethods, A.selectMethods, A.viewsMethods,
    A.placeMethods, A.viewMethods, A.hashMethods, A.apiMethods);
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
