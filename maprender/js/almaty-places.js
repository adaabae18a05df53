/* almaty-map places: the reference places (landmarks, areas) under the events.
 *
 * They are drawn by Leaflet but not interactive: the map's own pointer handling offers them
 * only where no event is under the pointer, so events win.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;

  A.placesLayer = () => L.featureGroup();

  /** How the places are drawn: areas, and points as small circles. Shared with the snapshot
   * (almaty-print.js), so a picture draws them as the map does. */
  A.placeStyle = {
    area: { color: "#555555", weight: 1.5, dashArray: "2 4", fillOpacity: 0.04,
      interactive: false },
    point: { radius: 4, color: "#555555", weight: 1.5, fillColor: "#ffffff", fillOpacity: 1,
      interactive: false },
  };

  A.placeMethods = {
    _fillPlaces(group) {
      this.places = [];
      if (!group) return;
      L.geoJSON(this.payload.places, {
        interactive: false,
        // Areas dotted; point places (circle markers, below) keep a solid ring.
        style: (feature) => (feature.geometry.type === "Point" ? {} : A.placeStyle.area),
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, A.placeStyle.point),
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
    },

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
    },

    /** A reference place's card, in the pane like an event's. */
    _openPlace(place) {
      if (!place) return;
      const p = place.feature.properties;
      const content = A.el("article", { className: "am-card am-place-card" }, [
        A.el(this.heading(1), { className: "am-card-title", text: p.name }),
        A.placeNames(this.payload, p.id, "am-place-names"),
        A.el("p", { className: "am-note", text: this.text.referencePlace }),
        A.safeUrl(p.source_url) ? A.el("p", {}, [A.el("a", { href: p.source_url,
          target: "_blank", rel: "noopener noreferrer",
          text: p.source_title || p.source_url })]) : null,
      ]);
      this.pane.show("place", content);
    },
  };
})(window);
