/* almaty-map app: time slices, view state, and the public window.almatyMap API.
 *
 * Each time slice is a Leaflet FeatureGroup (listed in the layer control); adding one to the
 * map turns its events on in the shared canvas layer, so a slice switch redraws instead of
 * rebuilding. The view (slice, mode, selected event) lives in the URL hash, and the same
 * calls are offered to embedding pages through postMessage.
 *
 * The page carries two data blocks: the first (positions, categories, time slices) is
 * enough to draw, so the map draws at once; the second (titles, descriptions, sources)
 * follows the start script and is read afterwards. window.almatyMap appears, and
 * "almatymap:ready" is dispatched, when both are in.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const MODES = A.constants.modes;
  const PLAY_MS = 2000;
  const DAY = 86400;
  const FORM_FIELDS = new Set(["INPUT", "SELECT", "TEXTAREA"]);

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
  A.placesLayer = () => L.featureGroup();

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
      this._listeners = [];
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

    // --- time -------------------------------------------------------------------------

    setSlice(index) {
      if (!this.slices.length) return this.state();
      this.slice = Math.min(Math.max(Math.round(Number(index)) || 0, 0), this.slices.length - 1);
      this._apply();
      return this.state();
    }

    setMode(mode) {
      if (!MODES.includes(mode)) throw new Error(`mode must be one of ${MODES.join(", ")}`);
      this.mode = mode;
      this._apply();
      return this.state();
    }

    step(delta) {
      return this.setSlice(this.slice + delta);
    }

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
    }

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
    }

    sliceToggled(index, on) {
      if (on) this.active.add(index);
      else this.active.delete(index);
      if (!this._batch) this._recompute();
    }

    /** The events in any active slice: one pass with a prefix count over slices. */
    _recompute() {
      const count = new Int32Array(this.slices.length + 1);
      for (let k = 0; k < this.slices.length; k++) count[k + 1] = count[k] + (this.active.has(k) ? 1 : 0);
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
    }

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
    }

    // --- date range (from the timeline) ---------------------------------------------

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
    }

    setRange(range) {
      this.range = range && range[1] > range[0] ? [range[0], range[1]] : null;
      this._recompute();
      return this.state();
    }

    // --- story ------------------------------------------------------------------------

    startStory(step, options) {
      if (!this.storyControl || !this.slices.length) return this.state();
      if (!this.story) {
        this._storyMode = this.mode;
        this.story = true;
        if (this._timer) this.togglePlay();
        this.time.getContainer().hidden = true;
        this.storyControl.addTo(this.map);
        if (this.map.keyboard) this.map.keyboard.disable();  // the arrows step the story
      }
      this.mode = "slice";
      this.slice = Math.min(Math.max(Math.round(Number(step)) || 0, 0), this.slices.length - 1);
      this._apply();
      this._fit();
      if (!options || options.focus !== false) this.storyControl.focusNext();
      return this.state();
    }

    storyStep(delta) {
      if (!this.story) return this.state();
      return this.startStory(this.slice + delta, { focus: false });
    }

    stopStory() {
      if (!this.story) return this.state();
      this.story = false;
      this.storyControl.remove();
      this.time.getContainer().hidden = false;
      if (this.map.keyboard) this.map.keyboard.enable();
      this.mode = this._storyMode || this.mode;
      this._apply();
      this.time.focusStory();
      return this.state();
    }

    _storyKey(e) {
      if (!this.story || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const target = e.target;
      if (target && (FORM_FIELDS.has(target.tagName) || target.isContentEditable)) return;
      e.preventDefault();
      this.storyStep(e.key === "ArrowRight" ? 1 : -1);
    }

    // --- selection and popups ---------------------------------------------------------

    open(id, options) {
      const i = this.events.index.get(String(id));
      if (i === undefined) return null;
      if (!this._isShown(i)) {
        if (this.s0[i] < 0) return null;
        if (this.range) this.setRange(null);
        if (this.story) this.startStory(this.s0[i], { focus: false });
        else this.setSlice(this.s0[i]);
      }
      return this._openIndex(i, Object.assign({ pan: true }, options || {}));
    }

    _isShown(i) {
      const a = this.s0[i];
      if (a < 0) return false;
      if (this.range && !(this.starts[i] < this.range[1] && this.ends[i] > this.range[0])) {
        return false;
      }
      for (let k = a; k <= this.s1[i]; k++) if (this.active.has(k)) return true;
      return false;
    }

    _openIndex(i, options) {
      const c = this.payload.events;
      const latlng = L.latLng(c.y[i], c.x[i]);
      if (options.pan && !this.map.getBounds().pad(-0.1).contains(latlng)) {
        this.map.setView(latlng, Math.max(this.map.getZoom(), 13), { animate: false });
      }
      const content = A.popupContent(this.events, i, this.payload,
        this.options.headingLevel);
      this.popup = L.popup({ maxWidth: 340, minWidth: 240, autoPanPadding: [24, 24],
        className: "am-popup-wrap" }).setLatLng(latlng).setContent(content).openOn(this.map);
      this._select(i);
      if (options.focus) content.querySelector(".am-popup-title").focus();
      return content.innerText;
    }

    _select(i) {
      this.selected = i;
      this.layer.setSelected(i);
      this._changed();
    }

    /** One event under the pointer opens; several at one place are offered as a list. */
    _clicked(indices, latlng) {
      if (!this.events) return;
      if (indices.length === 1) {
        this._openIndex(indices[0], { pan: false });
        return;
      }
      const c = this.payload.events;
      const choices = indices.map((i) => {
        const choice = A.el("button", { type: "button", className: "am-list-item" }, [
          A.el("span", { className: "am-list-title", text: c.title[i] }),
          A.el("span", { className: "am-list-when", text: this.events.str(c.when[i]) })]);
        L.DomEvent.on(choice, "click", () => this._openIndex(i, { pan: false, focus: true }));
        return A.el("li", {}, [choice]);
      });
      const content = A.el("div", { className: "am-popup am-choice" }, [
        A.el(this.heading(1), { text: A.plural(this.text.here, indices.length,
          this.language) }),
        A.el("ol", { className: "am-event-list" }, choices)]);
      this.popup = L.popup({ maxWidth: 340, minWidth: 240, className: "am-popup-wrap" })
        .setLatLng(latlng).setContent(content).openOn(this.map);
    }

    _hover(indices) {
      this._hoveringEvent = indices.length > 0;
      if (!this.events) return;
      if (!indices.length) {
        if (this._tooltip) this.map.closeTooltip(this._tooltip);
        return;
      }
      const c = this.payload.events;
      const i = indices[0];
      const more = indices.length > 1
        ? " " + A.plural(this.text.andMore, indices.length - 1, this.language) : "";
      this._tooltipIsPlace = false;
      this._showTooltip(L.latLng(c.y[i], c.x[i]), c.title[i] + more);
    }

    _showTooltip(latlng, text) {
      this._tooltip = this._tooltip || L.tooltip({ direction: "top", offset: [0, -10] });
      this._tooltip.setLatLng(latlng).setContent(A.el("span", { text }));
      this.map.openTooltip(this._tooltip);
    }

    // --- places -----------------------------------------------------------------------

    /** Reference places are drawn by Leaflet but not interactive: the map's own pointer
     * handling offers them only where no event is under the pointer, so events win. */
    _fillPlaces(group) {
      this.places = [];
      if (!group) return;
      L.geoJSON(this.payload.places, {
        interactive: false,
        style: () => ({ color: "#555555", weight: 1.5, dashArray: "2 4", fillOpacity: 0.04,
          interactive: false }),
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 4, color: "#555555",
          weight: 1.5, fillColor: "#ffffff", fillOpacity: 1, interactive: false }),
        onEachFeature: (feature, layer) => this.places.push({ feature, layer }),
      }).addTo(group);
      this._placesGroup = group;
      this.map.on("click", (e) => {
        if (!this.layer.hitAll(e.containerPoint).length) this._openPlace(this._placeAt(e));
      });
      this.map.on("mousemove", (e) => {
        if (this._hoveringEvent) return;
        const place = this._placeAt(e);
        if (place) this._showTooltip(e.latlng, place.feature.properties.name);
        else if (this._tooltip && this._tooltipIsPlace) this.map.closeTooltip(this._tooltip);
        this._tooltipIsPlace = Boolean(place);
      });
    }

    _placeAt(e) {
      if (!this.map.hasLayer(this._placesGroup)) return null;
      for (const place of this.places) {
        const layer = place.layer;
        if (layer instanceof L.CircleMarker) {
          if (this.map.latLngToContainerPoint(layer.getLatLng()).distanceTo(e.containerPoint) < 8) {
            return place;
          }
        } else if (layer.getBounds && layer.getBounds().contains(e.latlng)
          && A.inPolygon(e.latlng, layer.getLatLngs())) {
          return place;
        }
      }
      return null;
    }

    _openPlace(place) {
      if (!place) return;
      const p = place.feature.properties;
      const content = A.el("article", { className: "am-popup" }, [
        A.el(this.heading(1), { text: p.name }),
        p.name_kk ? A.el("p", { lang: "kk", text: p.name_kk }) : null,
        p.name_ru ? A.el("p", { lang: "ru", text: p.name_ru }) : null,
        A.el("p", { className: "am-note", text: this.text.referencePlace }),
        A.safeUrl(p.source_url) ? A.el("p", {}, [A.el("a", { href: p.source_url,
          target: "_blank", rel: "noopener noreferrer",
          text: p.source_title || p.source_url })]) : null,
      ]);
      const anchor = place.layer.getLatLng ? place.layer.getLatLng()
        : place.layer.getBounds().getCenter();
      L.popup({ maxWidth: 320, className: "am-popup-wrap" }).setLatLng(anchor)
        .setContent(content).openOn(this.map);
    }

    // --- view -------------------------------------------------------------------------

    _fit() {
      const c = this.payload.events;
      const indices = this.shownIndices.length ? this.shownIndices
        : Int32Array.from({ length: this.size }, (_, i) => i);
      if (!indices.length) {
        const e = this.payload.extent;
        if (e) this.map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
        else this.map.setView([20, 0], 2);
        return;
      }
      let south = 90, west = 180, north = -90, east = -180;
      for (const i of indices) {
        south = Math.min(south, c.y[i]); north = Math.max(north, c.y[i]);
        west = Math.min(west, c.x[i]); east = Math.max(east, c.x[i]);
      }
      // Keep the events clear of the controls that float over the map's corners.
      const height = (selector) => {
        const node = this.map.getContainer().querySelector(selector);
        return node ? node.offsetHeight : 0;
      };
      this.map.fitBounds([[south, west], [north, east]], {
        paddingTopLeft: [40, Math.max(40, height(".am-about") + 20)],
        paddingBottomRight: [40, Math.max(40, height(".am-time") + 20,
          height(".am-story") + 20)],
        maxZoom: 14, animate: false });
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

    _changed() {
      const state = this.state();
      if (this.time) this.time.update(state);
      if (this.story) this.storyControl.update(state);
      if (!this.events) return;  // the rest waits for the details block
      if (this.list) this.list.update(state);
      if (this.timeline) this.timeline.update(state);
      this._writeHash(state);
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
    }

    shownIds() {
      return Array.from(this.shownIndices, (i) => this.payload.events.id[i]);
    }

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
    }

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
    }

    // --- public API -------------------------------------------------------------------

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
    }

    _onMessage(e) {
      const message = e.data;
      if (!message || typeof message !== "object" || typeof message.almatyMap !== "string") return;
      const calls = ["events", "shown", "slices", "setSlice", "setMode", "open", "state",
        "story", "storyStep", "setRange"];
      if (!calls.includes(message.almatyMap) || !e.source) return;
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
    }
  }
  A.App = App;

  /** The page's data: JSON, or (for large maps) deflated JSON in base64, inflated by the
   * browser's own DecompressionStream. */
  A.readData = function (element) {
    if (element.type === "application/json") return JSON.parse(element.textContent);
    const text = element.textContent.trim();
    let bytes;
    if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(text);
    else {
      const binary = atob(text);
      bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    }
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).json();
  };

  /** Start the map: draw from the first data block at once, then read the second (after
   * the document is parsed, since it follows this script) and publish window.almatyMap. */
  A.start = function (map, dataElementId, refs, options) {
    performance.mark("almaty-map:start");
    const app = new App(map, A.readData(document.getElementById(dataElementId)), refs,
      options);
    performance.mark("almaty-map:drawn");
    const parsed = document.readyState === "loading"
      ? new Promise((done) => document.addEventListener("DOMContentLoaded", done,
        { once: true }))
      : Promise.resolve();
    return parsed
      .then(() => A.readData(document.getElementById(options.detailsId)))
      .then((details) => {
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
