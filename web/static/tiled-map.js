/* almaty-map tiled map: the reader's map of a selection too large to carry in the page.
 *
 * The events come as vector tiles from /ogc/collections/events/tiles (built by PostGIS),
 * only those in view, decoded with @mapbox/vector-tile and pbf (vendor/), and drawn by the
 * map's own canvas layer (almaty-canvas.js) with its symbols and precision circles. A time
 * slice is the tiles' datetime; the other slices' tiles of the view are fetched while the
 * reader looks, so switching is a redraw. A click asks for the event's card, its time
 * worded in the page's language (web/tiledcard.py).
 * Everything shown is built with textContent (AlmatyMapLib.el), never as markup.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const MAX_MATRIX = 24;  // WebMercatorQuad's last tile matrix
  const CACHE_TILES = 600;
  const PREFETCH_TILES = 400;  // at most this many tiles fetched ahead for other slices
  const PREFETCH_AHEAD = 4;  // at most this many of them asked for at once
  // What drawing a feature and asking for its card need: the tile's times as text were
  // half of a city tile's bytes and of its build.
  const DRAWN_PROPERTIES = "id,category,geo_precision,n";
  const POPUP_WIDTH = 320;  // the popup's widest content, in pixels
  const POPUP_MIN = 120;
  const POPUP_PAD = 8;  // kept between a popup and the map's edge
  const BASE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

  class TiledMap {
    constructor(data, container, select) {
      this.data = data;
      this.select = select;
      this.slice = 0;
      this.generation = 0;
      this.cache = new Map();  // tile URL -> Promise of its decoded features
      this.whole = new Map();  // "z/x/y" -> how many features all times' tile there holds
      this.catIndex = new Map(data.categories.map((c, i) => [c.id, i]));
      this.precisionIndex = new Map(data.precisions.map((p, i) => [p.id, i]));
      this.ids = [];
      this.draws = 0;
      this.map = L.map(container, { zoomControl: true, worldCopyJump: false });
      L.tileLayer(BASE, { maxZoom: 19, attribution: ATTRIBUTION, className: "am-tiles-light" })
        .addTo(this.map);
      this.map.createPane("almatyEvents").style.zIndex = 450;
      this.layer = new A.EventCanvasLayer(this._payload([]));
      this.layer.addTo(this.map);
      this.layer.on("eventclick", (e) => this._open(e.indices, e.latlng));
      const extent = data.extent;
      if (extent) this.map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]]);
      else this.map.setView([0, 0], 2);
      this.map.on("moveend", () => this.load());
      select.addEventListener("change", () => this.show(Number(select.value)));
      this.load();
    }

    /** Switch to slice ``index`` (0: all times). */
    show(index) {
      this.slice = index;
      if (this.select.value !== String(index)) this.select.value = String(index);
      return this.load();
    }

    /** The tiles covering the view at the current zoom, as [z, x, y]. */
    _tilesInView() {
      const zoom = this.map.getZoom();
      const z = Math.max(0, Math.min(MAX_MATRIX, Math.floor(zoom)));
      const scale = Math.pow(2, z - zoom) / 256;
      const bounds = this.map.getPixelBounds();
      const side = Math.pow(2, z);
      const clamp = (v) => Math.max(0, Math.min(side - 1, v));
      const x0 = clamp(Math.floor(bounds.min.x * scale));
      const x1 = clamp(Math.floor(bounds.max.x * scale));
      const y0 = clamp(Math.floor(bounds.min.y * scale));
      const y1 = clamp(Math.floor(bounds.max.y * scale));
      const tiles = [];
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) tiles.push([z, x, y]);
      return tiles;
    }

    _url(slice, [z, x, y]) {
      const params = new URLSearchParams(this.data.query);
      const datetime = this.data.slices[slice].datetime;
      if (datetime !== "../..") params.set("datetime", datetime);
      params.set("properties", DRAWN_PROPERTIES);
      const path = this.data.tiles.replace("{z}", z).replace("{y}", y).replace("{x}", x);
      const query = params.toString();
      return query ? `${path}?${query}` : path;
    }

    /** A tile's features ({id, n, category, precision, lon, lat, shape}), fetched once. */
    _tile(slice, address) {
      const url = this._url(slice, address);
      let pending = this.cache.get(url);
      if (!pending) {
        pending = fetch(url).then((response) => {
          if (!response.ok) throw new Error(`${url}: ${response.status}`);
          return response.arrayBuffer();
        }).then((buffer) => decode(buffer, address));
        pending.catch(() => this.cache.delete(url));
        if (slice === 0) pending.then((list) => this.whole.set(address.join("/"), list.length));
        this.cache.set(url, pending);
        if (this.cache.size > CACHE_TILES) this.cache.delete(this.cache.keys().next().value);
      }
      return pending;
    }

    /** The tiles of ``tiles`` that slice ``slice`` needs, the fullest first. A slice is
     * part of all times (slice 0, the same categories), so where all times' tile holds
     * nothing, so does each slice's: most of a city's view is such tiles, and each asked
     * for held a connection the city's tile waited for. */
    _needed(slice, tiles) {
      if (slice === 0) return tiles;
      const size = (t) => this.whole.get(t.join("/")) ?? Infinity;  // not known: ask first
      return tiles.filter((t) => size(t) > 0).sort((a, b) => size(b) - size(a));
    }

    /** Fetch the view's tiles for the current slice and draw them; resolves once drawn.
     * Until then the map shows the slice drawn before, dimmed, and says which it is. */
    load() {
      const generation = ++this.generation;
      const slice = this.slice;
      const began = performance.now();
      const tiles = this._tilesInView();
      this._showPending(slice);
      const wanted = this._needed(slice, tiles).map((t) => this._tile(slice, t));
      return Promise.all(wanted).then((lists) => {
        if (generation !== this.generation) return;
        this._draw(lists);
        this.drawnSlice = slice;
        this._showPending(slice);
        this.lastLoad = { slice, tiles: tiles.length, ms: performance.now() - began };
        if (this.draws === 1) performance.mark("almaty-map:tiles-drawn");
        document.dispatchEvent(new CustomEvent("almatymap:tiles", { detail: this.state() }));
        this._prefetch(tiles, generation);
      }).catch((error) => {
        this.failed = String(error);
        document.dispatchEvent(new CustomEvent("almatymap:tiles", { detail: this.state() }));
      });
    }

    /** While slice ``slice``'s tiles are fetched, the slice drawn before stays on the map,
     * dimmed (after a moment: tiles.css), and the time control is marked busy with the
     * slice drawn, so the old slice's events are not read as the new one's. */
    _showPending(slice) {
      const pending = this.drawnSlice !== undefined && this.drawnSlice !== slice;
      this.map.getContainer().classList.toggle("am-tiled-pending", pending);
      this.select.setAttribute("aria-busy", String(pending));
      if (this.drawnSlice !== undefined) this.select.dataset.drawn = String(this.drawnSlice);
    }

    /** The other slices' tiles of this view, nearest to the current one first (a reader
     * steps to the next day or the one before), so a switch finds them ready: a few at a
     * time, so the next slices' tiles are built while the first one's come, and a switch
     * finds connections free. A move or a switch starts over; a failure stops it. */
    _prefetch(tiles, generation) {
      const order = nearestFirst(this.slice, this.data.slices.length);
      let queue = [];  // [slice, tile] of the slice being fetched ahead
      let budget = PREFETCH_TILES;
      let running = 0;
      let failed = false;
      const take = () => {
        while (!queue.length && order.length) {
          const slice = order.shift();
          queue = this._needed(slice, tiles).map((t) => [slice, t]);
        }
        return queue.shift();
      };
      const next = () => {
        while (running < PREFETCH_AHEAD && budget > 0 && !failed
          && generation === this.generation) {
          const item = take();
          if (!item) return;
          budget -= 1;
          running += 1;
          this._tile(...item).catch(() => { failed = true; }).then(() => {
            running -= 1;
            next();
          });
        }
      };
      next();
    }

    /** One feature per id (a feature near a tile's edge is in both tiles), drawn by the
     * canvas layer. */
    _draw(lists) {
      const seen = new Map();
      const events = [];
      for (const list of lists) {
        for (const event of list) {
          if (seen.has(event.id)) continue;
          seen.set(event.id, events.length);
          events.push(event);
        }
      }
      this.ids = events.map((e) => e.id);
      this.counts = events.map((e) => e.n);
      this.total = this.counts.reduce((sum, n) => sum + n, 0);
      const indices = new Int32Array(events.length);
      for (let i = 0; i < indices.length; i++) indices[i] = i;
      this.layer.setPayload(this._payload(events), indices);
      this.draws += 1;
    }

    _payload(events) {
      const n = events.length;
      const columns = {
        n,
        x: new Float64Array(n),
        y: new Float64Array(n),
        category: new Int32Array(n),
        geo_precision: new Int32Array(n),
        shapes: {},
      };
      events.forEach((e, i) => {
        columns.x[i] = e.lon;
        columns.y[i] = e.lat;
        columns.category[i] = this.catIndex.get(e.category) || 0;
        columns.geo_precision[i] = this.precisionIndex.get(e.precision) || 0;
        if (e.shape) columns.shapes[i] = e.shape;
      });
      return { events: columns, categories: this.data.categories,
        precisions: this.data.precisions };
    }

    /** The event under a click, in a popup: its card worded in the page's language
     * (web/tiledcard.py), with a link to the API's own page of it. */
    _open(indices, latlng) {
      const id = this.ids[indices[0]];
      const more = indices.reduce((sum, i) => sum + this.counts[i], 0) - 1;
      const text = this.data.text;
      const body = A.el("div", { className: "am-tiled-popup" }, ["…"]);
      const popup = L.popup({ maxWidth: POPUP_WIDTH, autoPan: false })
        .setLatLng(latlng).setContent(body).openOn(this.map);
      const card = new URL(this.data.card + encodeURIComponent(id), root.location.href);
      card.searchParams.set("lang", this.data.lang);
      const item = new URL(this.data.items + encodeURIComponent(id), root.location.href);
      this.opened = { id, loaded: false };
      return fetch(card).then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((c) => {
          body.replaceChildren(
            A.el("strong", { text: c.title }),
            A.el("p", { text: `${c.when} · ${c.place}` }),
            A.el("p", { text: c.description }),
            more > 0 ? A.el("p", { text: text.more.replace("{n}", more) }) : "",
            A.el("a", { href: `${item.href}?f=html`, text: text.details }),
          );
          this._fit(popup);
          this.opened = { id, loaded: true, title: c.title, when: c.when };
        }, () => {
          body.replaceChildren(text.failed);
          this._fit(popup);
        });
    }

    /** Narrow the popup to the map if it is wider, then pan it wholly onto the map and
     * clear of the map's controls, as the embedded map keeps its card's event clear of them
     * (almaty-view.js): on a phone a popup by an edge slid under the zoom buttons. Leaflet's
     * own pan is off: it knows nothing of controls, and its animation would undo this one. */
    _fit(popup) {
      const room = this.map.getSize().x - 2 * POPUP_PAD;
      popup.update();
      const wide = popup.getElement().getBoundingClientRect().width;
      if (wide > room) {
        popup.options.maxWidth = Math.max(POPUP_MIN, popup.options.maxWidth - (wide - room));
        popup.update();
      }
      const map = this.map.getContainer().getBoundingClientRect();
      const rect = popup.getElement().getBoundingClientRect();
      const into = (lo, hi, min, max) => (lo < min ? lo - min : (hi > max ? hi - max : 0));
      const dx = into(rect.left, rect.right, map.left + POPUP_PAD, map.right - POPUP_PAD);
      const dy = into(rect.top, rect.bottom, map.top + POPUP_PAD, map.bottom - POPUP_PAD);
      const moved = new DOMRect(rect.x - dx, rect.y - dy, rect.width, rect.height);
      const [cx, cy] = this._offControls(moved, map);
      if (dx + cx || dy + cy) this.map.panBy([dx + cx, dy + cy], { animate: false });
    }

    /** How far to pan the map so a popup at ``rect`` covers no control: sideways if the
     * map is wide enough beside the control, else down (or up, for one at the bottom). */
    _offControls(rect, map) {
      let dx = 0;
      let dy = 0;
      for (const node of this.map.getContainer().querySelectorAll(".leaflet-control")) {
        const c = node.getBoundingClientRect();
        const covered = c.width && c.left < rect.right && rect.left < c.right
          && c.top < rect.bottom && rect.top < c.bottom;
        if (!covered) continue;
        const onLeft = c.left - map.left < map.right - c.right;
        const onTop = c.top - map.top < map.bottom - c.bottom;
        if (rect.width + c.width + 2 * POPUP_PAD <= map.width) {
          dx = onLeft ? Math.min(dx, rect.left - c.right - POPUP_PAD)
            : Math.max(dx, rect.right - c.left + POPUP_PAD);
        } else {
          dy = onTop ? Math.min(dy, rect.top - c.bottom - POPUP_PAD)
            : Math.max(dy, rect.bottom - c.top + POPUP_PAD);
        }
      }
      return [dx, dy];
    }

    state() {
      return {
        slice: this.slice,
        zoom: this.map.getZoom(),
        events: this.total || 0,
        features: this.ids.length,
        drawn: this.layer.drawn,
        draws: this.draws,
        last: this.lastLoad || null,
        pending: this.drawnSlice !== this.slice,
        failed: this.failed || null,
        opened: this.opened || null,
      };
    }
  }

  /** Slices 0 to count - 1 but ``current``, by their distance from it, the later first. */
  function nearestFirst(current, count) {
    const order = [];
    for (let d = 1; d < count; d++) {
      if (current + d < count) order.push(current + d);
      if (current - d >= 0) order.push(current - d);
    }
    return order;
  }

  /** The features of one tile, placed in longitude and latitude. */
  function decode(buffer, [z, x, y]) {
    const tile = new root.VectorTile.VectorTile(new root.Pbf(buffer));
    const layer = tile.layers.events;
    if (!layer) return [];
    const found = [];
    const size = layer.extent * Math.pow(2, z);
    const x0 = layer.extent * x;
    const y0 = layer.extent * y;
    for (let i = 0; i < layer.length; i++) {
      const feature = layer.feature(i);
      const p = feature.properties;
      // n: the events one feature stands for (those drawn on the same spot, database/tiles.py).
      const event = { id: p.id, n: p.n, category: p.category, precision: p.geo_precision };
      const first = feature.loadGeometry()[0][0];
      event.lon = ((x0 + first.x) / size) * 360 - 180;
      const n = Math.PI - (2 * Math.PI * (y0 + first.y)) / size;
      event.lat = (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
      if (feature.type !== 1) event.shape = feature.toGeoJSON(x, y, z).geometry;
      found.push(event);
    }
    return found;
  }

  /** Start the map described by the JSON block ``dataId`` (web/tiledpage.py writes it). */
  A.startTiled = function (dataId) {
    const start = () => {
      const data = JSON.parse(document.getElementById(dataId).textContent);
      const tiled = new TiledMap(data, document.getElementById("am-tiled-map"),
        document.getElementById("am-tiled-slice"));
      root.almatyTiledMap = tiled;
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start, { once: true });
    } else start();
  };
})(window);
