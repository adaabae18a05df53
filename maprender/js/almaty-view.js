/* almaty-map view: fitting the map to the events it shows, and keeping the open one in
 * sight.
 *
 * The map opens (and each story step moves) to the precisely placed events it shows:
 * events known only to the city are listed apart (almaty-controls.js, "place not known")
 * rather than drawn, so they neither pull the view out to the whole city nor dwarf the
 * events whose place is known. Controls sit on the map's corners, so the view keeps clear
 * of them, and an event whose card is open is panned into sight when the pane or the
 * map's size changes.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const FIT_MAX_ZOOM = 17;
  const MARGIN = 24;  // px kept free along the map's edges when fitting
  const COMFORT = 0.2;  // an open event's marker is moved in from the outer fifth of the map

  /** The bounds of a GeoJSON geometry's coordinates. */
  function geometryBounds(geometry, bounds) {
    const visit = (coordinates) => {
      if (typeof coordinates[0] === "number") bounds.extend([coordinates[1], coordinates[0]]);
      else coordinates.forEach(visit);
    };
    visit(geometry.coordinates);
    return bounds;
  }

  A.viewMethods = {
    /** Whether event i is drawn on the map (its place is known better than the city). */
    isPlaced(i) {
      return this.payload.precisions[this.payload.events.geo_precision[i]].drawn !== false;
    },

    /** The shown events that are not drawn, their place being known only to the city. */
    unplacedShown() {
      return this.shownIndices.filter((i) => !this.isPlaced(i));
    },

    _fit() {
      const c = this.payload.events;
      const all = this.shownIndices.length ? this.shownIndices
        : Int32Array.from({ length: this.size }, (_, i) => i);
      const placed = all.filter((i) => this.isPlaced(i));
      const bounds = L.latLngBounds([]);
      if (placed.length) {
        for (const i of placed) {
          if (c.shapes[i]) geometryBounds(c.shapes[i], bounds);
          else bounds.extend([c.y[i], c.x[i]]);
        }
      } else {  // only events known to the city: show the city their circles cover
        for (const i of all) {
          const radius = this.payload.precisions[c.geo_precision[i]].radius;
          bounds.extend(L.latLng(c.y[i], c.x[i]).toBounds(radius * 2));
        }
      }
      if (!bounds.isValid()) {
        const e = this.payload.extent;
        if (e) this.map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { animate: false });
        else this.map.setView([20, 0], 2, { animate: false });
        return;
      }
      const clear = this._clearArea();
      this.map.fitBounds(bounds, {
        paddingTopLeft: [clear.left + MARGIN, clear.top + MARGIN],
        paddingBottomRight: [clear.right + MARGIN, clear.bottom + MARGIN],
        maxZoom: FIT_MAX_ZOOM, animate: false });
    },

    /** How far the controls reach into the map, in px from each edge: the top-left stack
     * (title, "place not known") is wide and short, so its height is left free at the top;
     * the top-right column (zoom, key) is narrow and tall, so its width is left free on the
     * right; the attribution's height at the bottom. */
    _clearArea() {
      const container = this.map.getContainer();
      const box = container.getBoundingClientRect();
      const reach = { top: 0, left: 0, right: 0, bottom: 0 };
      for (const node of container.querySelectorAll(".leaflet-control")) {
        if (node.hidden || !node.offsetWidth) continue;
        const r = node.getBoundingClientRect();
        const corner = node.parentElement.classList;
        if (corner.contains("leaflet-top") && corner.contains("leaflet-left")) {
          reach.top = Math.max(reach.top, r.bottom - box.top);
        } else if (corner.contains("leaflet-top")) {
          reach.right = Math.max(reach.right, box.right - r.left);
        } else reach.bottom = Math.max(reach.bottom, box.bottom - r.top);
      }
      reach.top = Math.min(reach.top, box.height / 3);
      return reach;
    },

    /** Where the controls are, in the map's container coordinates. */
    _controlRects() {
      const container = this.map.getContainer();
      const box = container.getBoundingClientRect();
      return Array.from(container.querySelectorAll(".leaflet-control"))
        .filter((node) => !node.hidden && node.offsetWidth)
        .map((node) => {
          const r = node.getBoundingClientRect();
          return L.bounds([r.left - box.left, r.top - box.top],
            [r.right - box.left, r.bottom - box.top]);
        });
    },

    /** Pan, if need be, so that event i's marker is on the map and clear of its controls. */
    _keepInView(i) {
      if (i < 0 || !this.isPlaced(i)) return;
      const c = this.payload.events;
      const latlng = L.latLng(c.y[i], c.x[i]);
      const size = this.map.getSize();
      const p = this.map.latLngToContainerPoint(latlng);
      const mx = Math.max(MARGIN, size.x * COMFORT);
      const my = Math.max(MARGIN, size.y * COMFORT);
      const onMap = p.x >= mx && p.y >= my && p.x <= size.x - mx && p.y <= size.y - my;
      const near = L.bounds([p.x - A.SYMBOL_RADIUS, p.y - A.SYMBOL_RADIUS],
        [p.x + A.SYMBOL_RADIUS, p.y + A.SYMBOL_RADIUS]);
      if (onMap && !this._controlRects().some((r) => r.intersects(near))) return;
      const visible = p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y;
      const zoom = visible ? this.map.getZoom() : Math.max(this.map.getZoom(), 13);
      this.map.setView(latlng, zoom, { animate: false });
    },

    /** The map's box changed (the pane opened or closed, the window was resized). */
    _resized() {
      const size = this.map.getContainer();
      if (!size.clientWidth || !size.clientHeight) return;
      this.map.invalidateSize({ animate: false, pan: false });
      if (this.selected >= 0 && this.pane && this.pane.view === "card") {
        this._keepInView(this.selected);
      }
    },
  };
})(window);
