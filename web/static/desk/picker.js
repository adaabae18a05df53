/* almaty-map desk: the edit form's place picker.
 *
 * The form's own fields (point, reference place, shape, precision, sensitive) stay the truth
 * and work without this script; the map only writes into them and draws what they say, the
 * way the reader's map will: a dashed circle of the precision's radius around the place
 * (none for an exact one), an area as an area, and for a sensitive event the ~1 km cell
 * centre and the coarser circle readers are shown instead of the place itself.
 * Names are set with textContent, never as markup. MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const L = root.L;
  const BASE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const ATTRIBUTION = "© OpenStreetMap contributors";
  const DIGITS = 1e6;  // a click is written to six decimals, about 10 cm

  function field(form, name) {
    return form.elements.namedItem(name);
  }

  function checkedKind(form) {
    const chosen = form.querySelector("input[name=geometry_kind]:checked");
    return chosen ? chosen.value : "point";
  }

  function setKind(form, kind) {
    const radio = form.querySelector(`input[name=geometry_kind][value="${kind}"]`);
    if (radio) radio.checked = true;
  }

  /** The geometry the fields describe now, or null when they describe none. */
  function geometryOf(form, places) {
    const kind = checkedKind(form);
    if (kind === "place") {
      const place = places.get(field(form, "place_id").value);
      return place ? place.geometry : null;
    }
    if (kind === "shape") {
      try {
        return JSON.parse(field(form, "geometry").value);
      } catch (e) {
        return null;
      }
    }
    const lon = Number.parseFloat(field(form, "longitude").value);
    const lat = Number.parseFloat(field(form, "latitude").value);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    return { type: "Point", coordinates: [lon, lat] };
  }

  /** Where readers will see a sensitive event: its ~1 km cell's centre (geodata/privacy.py). */
  function publishedCentre(centre, grid) {
    const cell = (v) => Math.round((Math.floor(v / grid) + 0.5) * grid * DIGITS) / DIGITS;
    return L.latLng(cell(centre.lat), cell(centre.lng));
  }

  class Picker {
    constructor(form, container, data) {
      this.form = form;
      this.data = data;
      this.places = new Map(data.places.map((p) => [p.id, p]));
      this.map = L.map(container, { zoomControl: true });
      L.tileLayer(BASE, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(this.map);
      this.placeLayer = L.layerGroup().addTo(this.map);
      this.drawn = L.featureGroup().addTo(this.map);
      this.note = document.getElementById("desk-map-note");
      this._drawPlaces();
      const extent = data.extent;
      if (extent) this.map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]]);
      else this.map.setView([0, 0], 2);
      this.map.on("click", (e) => this.pickPoint(e.latlng));
      form.addEventListener("input", () => this.draw());
      form.addEventListener("change", (e) => this._changed(e.target));
      this.draw(true);
    }

    /** The dataset's reference places, each chosen by a click on it. */
    _drawPlaces() {
      for (const place of this.data.places) {
        const layer = L.geoJSON(place.geometry, {
          style: { color: "#555555", weight: 1.5, fillOpacity: 0.05 },
          pointToLayer: (f, latlng) => L.circleMarker(latlng, {
            radius: 5, color: "#555555", weight: 1.5, fillColor: "#ffffff", fillOpacity: 1,
          }),
        });
        layer.bindTooltip(() => document.createTextNode(place.name));
        layer.on("click", (e) => {
          L.DomEvent.stopPropagation(e);
          this.pickPlace(place.id);
        });
        layer.addTo(this.placeLayer);
      }
    }

    pickPoint(latlng) {
      const round = (v) => String(Math.round(v * DIGITS) / DIGITS);
      field(this.form, "longitude").value = round(latlng.lng);
      field(this.form, "latitude").value = round(latlng.lat);
      setKind(this.form, "point");
      this.draw();
    }

    pickPlace(id) {
      field(this.form, "place_id").value = id;
      setKind(this.form, "place");
      this.draw();
    }

    _changed(target) {
      if (target.name === "place_id" && target.value && this.places.has(target.value)) {
        setKind(this.form, "place");
      }
      this.draw();
    }

    /** Draw the place as the reader's map will, and say so under the map. */
    draw(fit) {
      this.drawn.clearLayers();
      const geometry = geometryOf(this.form, this.places);
      if (!geometry) {
        this.note.textContent = this.data.words.none;
        return;
      }
      const shape = L.geoJSON(geometry, {
        style: { color: "#0b57d0", weight: 2, fillOpacity: 0.15 },
        pointToLayer: (f, latlng) => L.circleMarker(latlng, {
          radius: 7, color: "#0b57d0", weight: 2, fillColor: "#0b57d0", fillOpacity: 1,
        }),
      }).addTo(this.drawn);
      const centre = shape.getBounds().getCenter();
      const precision = field(this.form, "geo_precision").value;
      const sensitive = field(this.form, "sensitive").checked;
      this._circle(centre, precision, "#0b57d0");
      let words = this.data.words[precision] || "";
      if (sensitive) {
        const shown = this._published(precision);
        const cell = publishedCentre(centre, this.data.grid);
        L.circleMarker(cell, { radius: 5, color: "#a00000", weight: 2, fill: false })
          .addTo(this.drawn);
        this._circle(cell, shown, "#a00000");
        words = `${words} ${this.data.words.sensitive}`;
      }
      this.note.textContent = words;
      // The whole circle in view: it is what the reader will see of the place.
      if (fit) this.map.fitBounds(this.drawn.getBounds(), { maxZoom: 15 });
    }

    /** The dashed circle of the reader's map: 4 px dashes, faint, none for exact. */
    _circle(centre, precision, colour) {
      const radius = this.data.radii[precision];
      if (!radius) return;
      L.circle(centre, {
        radius, color: colour, weight: 1, opacity: 0.7, dashArray: "4 4", fill: false,
      }).addTo(this.drawn);
    }

    /** The precision a sensitive event is published at: at least the floor. */
    _published(precision) {
      const order = this.data.precisions;
      return order.indexOf(precision) < order.indexOf(this.data.floor) ? this.data.floor : precision;
    }
  }

  function start() {
    const island = document.getElementById("desk-map-data");
    const form = document.getElementById("event-form");
    const container = document.getElementById("desk-map");
    if (!island || !form || !container || !L) return;
    container.hidden = false;
    root.deskPicker = new Picker(form, container, JSON.parse(island.textContent));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
