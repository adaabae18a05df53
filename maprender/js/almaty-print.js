/* almaty-map print: the still map of a snapshot picture (`almaty-map snapshot`).
 *
 * The snapshot page (maprender/snapshot.html) is composed in Python: heading, dates, legend,
 * story caption, event card, credits. This module fits that text to the picture, then draws
 * the map into it with the interactive map's own canvas layer, symbols and place styles, so
 * an imprecise place is a dashed circle with a hollow symbol exactly as on the map. It adds
 * no control of any kind and listens to no pointer.
 *
 * Fitting never clips: it tries the largest text first and, at each size, a larger share of
 * the picture for the card; the first layout in which nothing overflows is kept, and when
 * none fits the picture is refused with the reason.
 *
 * Background tiles are waited for only while they arrive: if one fails, or none has come
 * within a short deadline, the map is drawn without them (and without their credit).
 * window.almatyPrint tells the page's driver (maprender/snapshot.py) when the picture is
 * ready, how it was fitted, what the canvas layer drew, and what became of the tiles.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const FONT_STEPS = [1, 0.93, 0.86, 0.8, 0.74, 0.68, 0.62, 0.56];
  // The card's share of the picture: the side column's width beside the map (landscape),
  // or the least height left to the map above the card (portrait, square).
  const BESIDE = { card: ["34%", "40%", "46%", "52%"], caption: ["26%", "30%", "34%", "40%"] };
  const UNDER = ["50%", "42%", "35%", "28%"];
  const EXAMPLE = { symbol: "circle", colour: "#666666" };
  const PADDING = 28;
  const MAX_ZOOM = 14;
  const report = (root.almatyPrint = { done: false, error: null });

  function fail(message) {
    report.error = message;
    report.done = true;
  }
  root.addEventListener("error", (e) => fail(`script error: ${e.message}`));

  /** Draw the page from its config and data blocks; report in window.almatyPrint. */
  A.print = function (configId, dataId) {
    try {
      const config = JSON.parse(document.getElementById(configId).textContent);
      const payload = JSON.parse(document.getElementById(dataId).textContent);
      drawSymbols(payload);
      const frame = document.querySelector(".as-frame");
      const layout = fitText(frame);
      if (!layout) {
        fail("fit");  // worded, with advice, by maprender/snapshot.py
        return;
      }
      const { map, layer } = drawMap(config, payload);
      loadTiles(map, config.tiles).then((tiles) => {
        if (tiles.state !== "drawn") {
          const credit = document.querySelector(".as-tile-credit");
          if (credit) credit.remove();
        }
        map.invalidateSize({ pan: false });
        fitView(map, payload, config);
        drawScale(map, config.units, document.documentElement.lang);
        report.tiles = tiles;
        report.drawn = Object.assign({ circles: layer.circlesDrawn }, layer.drawn);
        report.layout = Object.assign(layout, { boxes: measure() });
        root.requestAnimationFrame(() => root.requestAnimationFrame(() => {
          report.done = true;
        }));
      }).catch((error) => fail(String(error && error.message ? error.message : error)));
    } catch (error) {
      fail(String(error && error.message ? error.message : error));
    }
  };

  /** Each [data-symbol] span gets its category's symbol, solid or hollow, as on the map. */
  function drawSymbols(payload) {
    for (const slot of document.querySelectorAll("[data-symbol]")) {
      const key = slot.getAttribute("data-symbol");
      const category = key === "example" ? EXAMPLE : payload.categories[Number(key)];
      slot.appendChild(A.symbolIcon(category, slot.hasAttribute("data-hollow")));
    }
  }

  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }

  /** The largest text, then the smallest card share, at which nothing overflows. */
  function fitText(frame) {
    const beside = root.matchMedia("(min-aspect-ratio: 5/4)").matches;
    const card = document.querySelector(".as-card");
    const shares = !beside ? UNDER : card ? BESIDE.card : BESIDE.caption;
    const boxes = Array.from(document.querySelectorAll("[data-fit]"));
    for (const font of FONT_STEPS) {
      for (const share of shares) {
        frame.style.setProperty("--fs", String(font));
        frame.style.setProperty(beside ? "--side-width" : "--map-min", share);
        if (!boxes.some(overflows)) return { font, share, beside };
      }
    }
    return null;
  }

  /** Where each fitted box ended up, for the driver to check and report. */
  function measure() {
    const out = { viewport: [root.innerWidth, root.innerHeight] };
    for (const box of document.querySelectorAll("[data-fit]")) {
      const r = box.getBoundingClientRect();
      out[box.getAttribute("data-fit")] = { left: r.left, top: r.top, right: r.right,
        bottom: r.bottom, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight,
        scrollWidth: box.scrollWidth, clientWidth: box.clientWidth };
    }
    return out;
  }

  function drawMap(config, payload) {
    const map = L.map("as-map", { zoomControl: false, attributionControl: false,
      dragging: false, touchZoom: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false, zoomAnimation: false, fadeAnimation: false,
      markerZoomAnimation: false, inertia: false, preferCanvas: true, zoomSnap: 0.25 });
    fitView(map, payload, config);
    map.createPane("almatyEvents").style.zIndex = 450;
    if (payload.places.features.length) {
      L.geoJSON(payload.places, { interactive: false, style: (feature) => (feature.geometry.type === "Point" ? {}
        : A.placeStyle.area),
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, A.placeStyle.point),
      }).addTo(map);
    }
    const layer = new A.EventCanvasLayer(payload);
    layer.hold(true);
    layer.addTo(map);
    layer.setShown(Int32Array.from(config.shown));
    if (config.selected >= 0) layer.setSelected(config.selected);
    layer.hold(false);
    return { map, layer };
  }

  /** Fit the map to the events shown (areas whole), or to the data's extent. */
  function fitView(map, payload, config) {
    const c = payload.events;
    let bounds = null;
    for (const i of config.shown) {
      const shape = c.shapes[i];
      const part = shape ? L.geoJSON(shape).getBounds() : L.latLngBounds([[c.y[i], c.x[i]]]);
      bounds = bounds ? bounds.extend(part) : part;
    }
    if (bounds) {
      map.fitBounds(bounds, { padding: [PADDING, PADDING], maxZoom: MAX_ZOOM, animate: false });
    } else if (payload.extent) {
      const e = payload.extent;
      map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { animate: false });
    } else {
      map.setView([20, 0], 2, { animate: false });
    }
  }

  /** Add the tiles and wait for them: {state: "drawn" | "failed" | "off", why, loaded, ms}
   * (why: "error" when a tile failed, "silent" when none came in time, "slow" when they
   * did not all come in time). */
  function loadTiles(map, tiles) {
    if (!tiles) return Promise.resolve({ state: "off", why: null, loaded: 0, ms: 0 });
    const started = performance.now();
    return new Promise((done) => {
      const layer = L.tileLayer(tiles.url, { subdomains: tiles.subdomains,
        maxZoom: tiles.max_zoom, className: tiles.class_name || "" });
      let loaded = 0;
      let first = null;
      let all = null;
      const finish = (state, why) => {
        if (!first) return;
        clearTimeout(first);
        clearTimeout(all);
        first = null;
        if (state !== "drawn") map.removeLayer(layer);
        done({ state, why, loaded, ms: Math.round(performance.now() - started) });
      };
      layer.on("tileload", () => { loaded += 1; });
      layer.on("tileerror", () => finish("failed", "error"));
      layer.on("load", () => finish("drawn", null));
      first = setTimeout(() => {
        if (!loaded) finish("failed", "silent");
      }, tiles.first_s * 1000);
      all = setTimeout(() => finish("failed", "slow"), tiles.all_s * 1000);
      layer.addTo(map);
    });
  }

  /** A scale bar of a round length, at most 120px (the room almaty-snapshot.css keeps for it)
   * and a fifth of the map's width. */
  function drawScale(map, units, language) {
    const size = map.getSize();
    const y = size.y / 2;
    const metresPerPixel = map.distance(map.containerPointToLatLng([0, y]),
      map.containerPointToLatLng([100, y])) / 100;
    const most = metresPerPixel * Math.min(120, size.x / 5);
    const power = Math.pow(10, Math.floor(Math.log10(most)));
    const digit = most / power >= 5 ? 5 : most / power >= 2 ? 2 : 1;
    const metres = digit * power;
    document.querySelector(".as-scale-bar").style.width = `${metres / metresPerPixel}px`;
    document.querySelector(".as-scale-text").textContent = metres >= 1000
      ? units.km.replace("{n}", (metres / 1000).toLocaleString(language))
      : units.m.replace("{n}", metres.toLocaleString(language));
  }
})(window);
