/* almaty-map core: reading the page's event data, and building DOM safely.
 *
 * The data arrives once, as one JSON document in <script type="application/json">, in
 * columns (one array per property, repeated strings in a shared table). Everything shown
 * is built with textContent, never innerHTML, so data text can never become markup.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = (root.AlmatyMapLib = root.AlmatyMapLib || {});

  const SOURCE_FIELDS = A.constants.sourceFields;
  const CSV_COLUMNS = A.constants.csvColumns;
  const JSON_FIELDS = A.constants.jsonFields;

  /** An http(s) URL, or null: anything else (javascript:, data:) never becomes a link. */
  A.safeUrl = function (url) {
    return typeof url === "string" && /^https?:\/\/[^\s<>"']+$/i.test(url) ? url : null;
  };

  /** Create an element; children are nodes or strings (added as text). */
  A.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "href") {
        const safe = A.safeUrl(value);
        if (safe) node.setAttribute("href", safe);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  };

  /** "2022-01-06T18:00:00+06:00" from epoch seconds and an offset in minutes. */
  A.isoTime = function (seconds, offsetMinutes) {
    if (seconds === null || seconds === undefined) return null;
    const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
    const sign = offsetMinutes < 0 ? "-" : "+";
    const abs = Math.abs(offsetMinutes);
    const pad = (n) => String(n).padStart(2, "0");
    return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  };

  /** Copy ``source``'s own properties onto ``target`` as plain data properties.
   *
   * Object.assign and ``target[key] = value`` go through setters, and ``__proto__`` is one:
   * a dataset's extra property or source field named "__proto__" would replace the
   * object's prototype (and vanish from the data) instead of being kept. Defining each
   * property never calls a setter, so every key, whatever its name, is kept as data. */
  A.setOwn = function (target, key, value) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true,
      configurable: true });
    return target;
  };

  A.assignOwn = function (target, ...sources) {
    for (const source of sources) {
      for (const key of Object.keys(source || {})) A.setOwn(target, key, source[key]);
    }
    return target;
  };

  /** Plural-aware text: forms is {one: "...", other: "..."} keyed by CLDR category. */
  const pluralRules = new Map();
  A.plural = function (forms, n, language) {
    if (!pluralRules.has(language)) pluralRules.set(language, new Intl.PluralRules(language));
    const rule = pluralRules.get(language).select(n);
    return (forms[rule] || forms.other).replace("{n}", n.toLocaleString(language));
  };

  /** The events of a page, decoded on demand from the columns (see maprender/payload.py
   * for the encoding). */
  class Events {
    constructor(payload) {
      this.payload = payload;
      const c = (this.columns = payload.events);
      this.strings = payload.strings;
      this.size = c.n;
      this.categories = payload.categories;
      this.index = new Map(c.id.map((id, i) => [id, i]));
      this.sensitive = new Set(c.sensitive);
      this.at = { actors: runs(c.actor_n), sources: runs(c.source_n) };
    }

    /** A value kept as JSON text in the string table (a count, source positions), or null. */
    json(i) {
      return i === undefined || i < 0 ? null : JSON.parse(this.strings[i]);
    }

    str(i) {
      return i === undefined || i < 0 ? null : this.strings[i];
    }

    /** UTC offset in minutes of an event's start ("offset") or end ("end_offset"). */
    offset(name, i) {
      const value = this.columns[name];
      return typeof value === "number" ? value : value[i];
    }

    geometry(i) {
      const shape = this.columns.shapes[i];
      if (shape) return shape;
      return { type: "Point", coordinates: [this.columns.x[i], this.columns.y[i]] };
    }

    /** Event i's run of a flat column (actors, sources). */
    run(name, i) {
      const at = this.at[name];
      return this.columns[name].slice(at[i], at[i + 1]);
    }

    sources(i) {
      return this.run("sources", i).map((entry) => {
        const source = {};
        SOURCE_FIELDS.forEach((name, k) => {
          if (entry[k] !== undefined && entry[k] >= 0) source[name] = this.strings[entry[k]];
        });
        return entry.length > SOURCE_FIELDS.length
          ? A.assignOwn(source, entry[SOURCE_FIELDS.length]) : source;
      });
    }

    startSeconds(i) {
      return this.columns.t0 + this.columns.start[i];
    }

    /** The event's properties exactly as the API serves them. */
    properties(i) {
      const c = this.columns;
      const start = this.startSeconds(i);
      const props = {
        id: c.id[i],
        title: c.title[i],
        description: c.description[i],
        category: this.categories[c.category[i]].id,
        start: A.isoTime(start, this.offset("offset", i)),
        end: c.duration[i] < 0 ? null
          : A.isoTime(start + c.duration[i], this.offset("end_offset", i)),
        time_precision: this.payload.time_precisions[c.time_precision[i]],
        time_source: this.json(c.time_source[i]),
        place: this.str(c.place[i]),
        place_id: this.str(c.place_id[i]),
        geo_precision: this.payload.precisions[c.geo_precision[i]].id,
        location_source: this.json(c.location_source[i]),
        fatalities: this.json(c.fatalities[i]),
        fatalities_source: this.json(c.fatalities_source[i]),
        actors: this.run("actors", i).map((k) => this.strings[k]),
        sources: this.sources(i),
        sensitive: this.sensitive.has(i),
        translations: this.json(c.translations[i]),
      };
      return c.extra[i] ? A.assignOwn(props, c.extra[i]) : props;
    }

    /** The title, place and description a reader of this page sees, each as [text, lang]:
     * the data's translation into the page's language where it gives one (see
     * maprender/payload.py's ``translated``), the original, in the data's language, else. */
    readerTexts(i) {
      const c = this.columns;
      const own = this.payload.dataset.language;
      const local = c.translated && Object.hasOwn(c.translated, i) ? c.translated[i] : {};
      const pick = (name, original) => (local[name] ? [local[name], local.lang]
        : [original, own]);
      return {
        title: pick("title", c.title[i]),
        place: pick("place", this.str(c.place[i])),
        description: pick("description", c.description[i]),
        translated: Boolean(local.title),
        original: c.title[i],
      };
    }

    feature(i) {
      const id = this.columns.id[i];
      return { type: "Feature", id, geometry: this.geometry(i), properties: this.properties(i) };
    }

    geojson(indices) {
      const list = indices || Array.from({ length: this.size }, (_, i) => i);
      return { type: "FeatureCollection", features: list.map((i) => this.feature(i)) };
    }

    csv(indices) {
      const list = indices || Array.from({ length: this.size }, (_, i) => i);
      const lines = [CSV_COLUMNS.join(",")];
      for (const i of list) {
        const p = this.properties(i);
        const extra = {};
        for (const key of Object.keys(p)) {
          if (!CSV_COLUMNS.includes(key)) A.setOwn(extra, key, p[key]);
        }
        const cells = A.assignOwn({}, p, {
          end: p.end || "",
          place_id: p.place_id || "",
          actors: JSON.stringify(p.actors),
          sources: JSON.stringify(p.sources),
          sensitive: p.sensitive ? "true" : "false",
          longitude: this.columns.x[i],
          latitude: this.columns.y[i],
          geometry_wkt: wkt(this.geometry(i)),
          extra: Object.keys(extra).length ? JSON.stringify(extra) : "",
        });
        for (const name of JSON_FIELDS) cells[name] = p[name] === null ? "" : JSON.stringify(p[name]);
        lines.push(CSV_COLUMNS.map((name) => csvCell(cells[name])).join(","));
      }
      return lines.join("\n") + "\n";
    }
  }
  A.Events = Events;

  /** Start offsets of consecutive runs, from their lengths. */
  function runs(lengths) {
    const at = new Int32Array(lengths.length + 1);
    for (let i = 0; i < lengths.length; i++) at[i + 1] = at[i] + lengths[i];
    return at;
  }

  function csvCell(value) {
    let text = String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function wkt(geometry) {
    const pt = (c) => `${c[0]} ${c[1]}`;
    const ring = (r) => `(${r.map(pt).join(", ")})`;
    const poly = (p) => `(${p.map(ring).join(", ")})`;
    switch (geometry.type) {
      case "Point": return `POINT (${pt(geometry.coordinates)})`;
      case "LineString": return `LINESTRING ${ring(geometry.coordinates)}`;
      case "Polygon": return `POLYGON ${poly(geometry.coordinates)}`;
      case "MultiPolygon": return `MULTIPOLYGON (${geometry.coordinates.map(poly).join(", ")})`;
      default: return "";
    }
  }

  /** Whether a LatLng lies inside Leaflet polygon rings (even-odd rule, any nesting). */
  A.inPolygon = function (latlng, rings) {
    let inside = false;
    const visit = (ring) => {
      if (ring.length && Array.isArray(ring[0])) {
        ring.forEach(visit);
        return;
      }
      for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
        const p = ring[a];
        const q = ring[b];
        if ((p.lat > latlng.lat) !== (q.lat > latlng.lat)
          && latlng.lng < ((q.lng - p.lng) * (latlng.lat - p.lat)) / (q.lat - p.lat) + p.lng) {
          inside = !inside;
        }
      }
    };
    visit(rings);
    return inside;
  };

  /** Offer text as a file download, from the page itself (no server involved). */
  A.download = function (text, filename, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = A.el("a", { download: filename });
    link.href = url;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
})(window);
