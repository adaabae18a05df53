/* almaty-map controls: the few small things that sit on the map's corners.
 *
 * The title box (with the button to the credits and downloads), the toolbar under the zoom
 * buttons (the map key, the list of events) and the count of events whose place is not
 * known. None of them grows over the map: what they open is shown in the pane
 * (almaty-pane.js), so no control ever covers an event's card or the story.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;

  A.button = function (label, text, onClick, attrs) {
    const node = A.el("button", Object.assign({ type: "button", className: "am-button",
      "aria-label": label, title: label, text }, attrs || {}));
    L.DomEvent.on(node, "click", onClick);
    return node;
  };

  /** Clicks and scrolls on a control stay on it instead of moving the map. */
  A.quiet = function (container) {
    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    return container;
  };

  /** A Leaflet control that belongs to the map's App (the first argument). */
  A.AppControl = L.Control.extend({
    initialize: function (app, options) {
      L.setOptions(this, options);
      this._app = app;
    },
  });

  /** A button that shows one of the pane's views, and says whether it is showing; named
   * by its text, or by ``label`` where the text is a short form of it. */
  function viewToggle(app, view, label, text, make, className) {
    const node = A.el("button", { type: "button", className: `am-button ${className}`,
      "aria-label": label === text ? null : label, title: label, "aria-expanded": "false",
      "aria-controls": app.pane.element.id, text });
    L.DomEvent.on(node, "click", () => {
      if (!app.events) return;  // the details block is still being read
      if (app.pane.view === view && !app.pane.standing) app.pane.close();
      else app.pane.show(view, make(), { focus: null });
    });
    return node;
  }

  /** The map's title and the way to its credits, sources and downloads. */
  A.TitleBox = A.AppControl.extend({
    options: { position: "topleft" },

    onAdd: function () {
      const app = this._app;
      const t = app.text;
      this._toggle = viewToggle(app, "about", t.about, t.aboutShort, () => app.aboutView(),
        "am-about-toggle");
      return A.quiet(A.el("section", { className: "am-titlebox", "aria-label": t.aboutRegion },
        [A.el(app.heading(0), { className: "am-title", text: app.payload.dataset.title }),
          this._toggle]));
    },

    update: function (view) {
      this._toggle.setAttribute("aria-expanded", String(view === "about"));
    },
  });

  /** Under the zoom buttons: the map key (legend and layers) and the list of events. */
  A.Toolbar = A.AppControl.extend({
    options: { position: "topright" },

    onAdd: function () {
      const app = this._app;
      const t = app.text;
      this._key = viewToggle(app, "key", t.legend, t.legend, () => app.keyView(),
        "am-key-toggle");
      this._list = app.options.list !== false
        ? viewToggle(app, "list", t.listShort, t.listShort, () => app.listView(),
          "am-list-toggle")
        : null;
      if (this._list) this._list.title = t.listHeading;
      return A.quiet(A.el("div", { className: "am-toolbar" }, [this._key, this._list]));
    },

    update: function (view) {
      this._key.setAttribute("aria-expanded", String(view === "key"));
      if (this._list) this._list.setAttribute("aria-expanded", String(view === "list"));
    },
  });

  /** How many shown events have no known place, with their symbols; opens their list. */
  A.UnplacedButton = A.AppControl.extend({
    options: { position: "topleft" },

    onAdd: function () {
      const app = this._app;
      this._button = viewToggle(app, "unplaced", app.text.unplaced, "",
        () => app.unplacedView(), "am-unplaced");
      return A.quiet(A.el("div", { className: "am-unplaced-box" }, [this._button]));
    },

    update: function (view) {
      const app = this._app;
      const unplaced = app.unplacedShown();
      const cats = new Set(Array.from(unplaced, (i) => app.payload.events.category[i]));
      const label = A.plural(app.text.unplacedCount, unplaced.length, app.language);
      this._button.replaceChildren(
        A.el("span", { className: "am-unplaced-swatch", "aria-hidden": "true", text: "?" }),
        ...Array.from(cats).sort((a, b) => a - b).slice(0, 6)
          .map((c) => A.symbolIcon(app.payload.categories[c], false)),
        A.el("span", { className: "am-unplaced-count", text: label }));
      this._button.setAttribute("aria-label", label);
      this._button.title = label;
      this._button.setAttribute("aria-expanded", String(view === "unplaced"));
      this.getContainer().hidden = unplaced.length === 0;
    },
  });
})(window);
