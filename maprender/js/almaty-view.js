/* almaty-map view: fitting the map to the events it shows.
 *
 * The map opens (and each story step moves) to the shown events, or to all of them when
 * none is shown, kept clear of the controls that float over its corners.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";

  root.AlmatyMapLib.viewMethods = {
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
      const height = (selector) => {
        const node = this.map.getContainer().querySelector(selector);
        return node ? node.offsetHeight : 0;
      };
      this.map.fitBounds([[south, west], [north, east]], {
        paddingTopLeft: [40, Math.max(40, height(".am-about") + 20)],
        paddingBottomRight: [40, Math.max(40, height(".am-time") + 20,
          height(".am-story") + 20)],
        maxZoom: 14, animate: false });
    },
  };
})(window);
