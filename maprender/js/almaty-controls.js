/* almaty-map controls: the time control, the legend, the about panel with downloads, and
 * the list of shown events (the map's keyboard and screen-reader equivalent).
 *
 * Native elements do the accessibility work: a range input (arrow keys, aria-valuetext),
 * buttons, a select, a live region for the status line.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;

  function button(label, text, onClick, attrs) {
    const node = A.el("button", Object.assign({ type: "button", className: "am-button",
      "aria-label": label, title: label, text }, attrs || {}));
    L.DomEvent.on(node, "click", onClick);
    return node;
  }

  /** A Leaflet control that belongs to the map's App (the first argument). */
  A.AppControl = L.Control.extend({
    initialize: function (app, options) {
      L.setOptions(this, options);
      this._app = app;
    },
  });

  /** Clicks and scrolls on a control stay on it instead of moving the map. */
  function quiet(container) {
    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    return container;
  }
  A.quiet = quiet;

  A.TimeControl = A.AppControl.extend({
    options: { position: "bottomleft" },

    onAdd: function () {
      const app = this._app;
      const t = app.text;
      const last = Math.max(app.slices.length - 1, 0);
      const id = app.uid("slice");
      this._prev = button(t.previous, "‹", () => app.step(-1));
      this._play = button(t.play, "▶", () => app.togglePlay(), { "aria-pressed": "false" });
      this._next = button(t.next, "›", () => app.step(1));
      this._range = A.el("input", { type: "range", id, min: 0, max: last, step: 1,
        value: app.slice, className: "am-range" });
      L.DomEvent.on(this._range, "input", () => app.setSlice(Number(this._range.value)));
      const modeId = app.uid("mode");
      this._mode = A.el("select", { id: modeId, className: "am-mode" },
        A.constants.modes.map((mode) => A.el("option", { value: mode,
          text: t.modes[mode].replace("{n}", app.window) })));
      L.DomEvent.on(this._mode, "change", () => app.setMode(this._mode.value));
      this._story = app.hasStory ? A.el("button", { type: "button",
        className: "am-button am-story-start", title: t.storyStartLabel, text: t.storyStart })
        : null;
      if (this._story) L.DomEvent.on(this._story, "click", () => app.startStory(0));
      this._status = A.el("p", { className: "am-status", "aria-live": "polite" });
      const container = A.el("div", { className: "am-time", role: "group",
        "aria-label": t.timeControl }, [
        A.el("div", { className: "am-time-row" }, [
          this._prev, this._play, this._next,
          A.el("label", { for: id, className: "am-visually-hidden", text: t.timeSlice }),
          this._range,
        ]),
        A.el("div", { className: "am-time-row" }, [
          A.el("label", { for: modeId, className: "am-mode-label", text: t.mode }), this._mode,
          this._story,
        ]),
        this._status,
      ]);
      if (!app.slices.length) {
        [this._prev, this._play, this._next, this._range, this._mode].forEach((n) => {
          n.disabled = true;
        });
      }
      return quiet(container);
    },

    focusStory: function () {
      if (this._story) this._story.focus();
    },

    update: function (state) {
      const app = this._app;
      const t = app.text;
      this._range.value = state.slice;
      this._mode.value = state.mode;
      const shown = A.plural(t.eventsShown, state.shown, app.language);
      const current = app.slices[state.slice];
      const parts = current ? [current.label, current.dates, shown] : [t.noSlices, shown];
      this._range.setAttribute("aria-valuetext", parts.join(", "));
      this._status.replaceChildren(...[
        A.el("strong", { className: "am-slice-label", text: parts[0] }),
        current ? A.el("span", { className: "am-slice-dates", text: current.dates }) : null,
        A.el("span", { className: "am-shown-count", text: shown }),
        app.outside ? A.el("span", { className: "am-outside",
          text: A.plural(t.outside, app.outside, app.language) }) : null,
      ].filter(Boolean));
      this._prev.disabled = !app.slices.length || state.slice <= 0;
      this._next.disabled = !app.slices.length || state.slice >= app.slices.length - 1;
      this._play.setAttribute("aria-pressed", state.playing ? "true" : "false");
      this._play.setAttribute("aria-label", state.playing ? t.pause : t.play);
      this._play.title = state.playing ? t.pause : t.play;
      this._play.textContent = state.playing ? "❚❚" : "▶";
    },
  });

  A.Legend = A.AppControl.extend({
    options: { position: "bottomright" },

    onAdd: function () {
      const app = this._app;
      const t = app.text;
      const categories = app.payload.categories.map((cat) => A.el("li", {}, [
        A.symbolIcon(cat, false), " ", cat.label]));
      const example = app.payload.categories[0];
      const precisions = app.payload.precisions.map((p) => A.el("li", {}, [
        p.radius === 0 ? A.symbolIcon(example, false)
          : A.el("span", { className: "am-dashed", "aria-hidden": "true" }),
        " ", p.label]));
      const details = A.el("details", { className: "am-legend", open: !app.compact }, [
        A.el("summary", { text: t.legend }),
        A.el(app.heading(1), { text: t.categories }),
        A.el("ul", {}, categories),
        A.el(app.heading(1), { text: t.precision }),
        A.el("ul", {}, precisions),
        app.payload.places.features.length ? A.el("p", {}, [
          A.el("span", { className: "am-place-swatch", "aria-hidden": "true" }), " ", t.places])
          : null,
      ]);
      const box = A.el("section", { className: "am-legend-box", "aria-label": t.legend },
        [details]);
      // Leave room for the controls above it, however short the map.
      const fit = () => {
        box.style.maxHeight = `${Math.max(120, app.map.getSize().y - 230)}px`;
      };
      fit();
      app.map.on("resize", fit);
      return quiet(box);
    },
  });

  function slug(text) {
    return (text || "events").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "").slice(0, 60) || "events";
  }

  A.About = A.AppControl.extend({
    options: { position: "topleft" },

    onAdd: function () {
      const app = this._app;
      const t = app.text;
      const meta = app.payload.dataset;
      const panelId = app.uid("about");
      const panel = A.el("div", { id: panelId, className: "am-about-panel", hidden: true }, [
        meta.summary ? A.el("p", { text: meta.summary }) : null,
        meta.credits ? A.el("p", {}, [A.el("strong", { text: t.credits + ": " }), meta.credits])
          : null,
        A.el("p", {}, [A.el("strong", { text: t.licence + ": " }), meta.licence || "",
          meta.version ? ` ${t.version.replace("{v}", () => meta.version)}` : ""]),
        meta.figures.length ? A.el(app.heading(1), { text: t.figures }) : null,
        meta.figures.length ? A.el("ul", { className: "am-figures" }, meta.figures.map((f) =>
          A.el("li", {}, [A.el("strong", { text: `${f.label}: ${f.text}` }), ` (${f.source.publication}`,
            `, ${f.source.date}) `, A.el("q", { text: f.source.quote })]))) : null,
        meta.corrections.length ? A.el(app.heading(1), { text: t.corrections }) : null,
        meta.corrections.length ? A.el("ul", { className: "am-corrections" },
          meta.corrections.map((c) => A.el("li", {}, [A.el("strong", { text: c.date + ": " }),
            c.change, " ", A.el("span", { className: "am-note", text: `${c.reason} ${c.source}` })])))
          : null,
        A.el(app.heading(1), { text: t.sources }),
        A.el("ul", { className: "am-source-list" }, meta.sources.map((s) => A.el("li", {}, [
          A.safeUrl(s.url) ? A.el("a", { href: s.url, target: "_blank",
            rel: "noopener noreferrer", text: `${s.publication}, “${s.title}”` })
            : `${s.publication}, “${s.title}”`]))),
        A.el(app.heading(1), { text: t.download }),
        A.el("p", { className: "am-downloads" }, [
          button(t.downloadGeojson, "GeoJSON", () => A.download(
            JSON.stringify(app.events.geojson()), `${slug(meta.title)}.geojson`,
            "application/geo+json")),
          " ",
          button(t.downloadCsv, "CSV", () => A.download(app.events.csv(),
            `${slug(meta.title)}.csv`, "text/csv")),
        ]),
        A.el("p", { className: "am-note",
          text: A.plural(t.downloadNote, app.size, app.language) }),
        A.el("details", {}, [
          A.el("summary", { text: t.softwareLicences }),
          A.el("pre", { className: "am-licence", text: app.payload.licences.join("\n\n") }),
        ]),
      ]);
      const toggle = A.el("button", { type: "button", className: "am-about-toggle",
        "aria-expanded": "false", "aria-controls": panelId, text: t.about });
      L.DomEvent.on(toggle, "click", () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        panel.hidden = !open;
      });
      const heading = A.el(app.heading(0), { className: "am-title",
        text: meta.title });
      return quiet(A.el("section", { className: "am-about", "aria-label": t.aboutRegion },
        [heading, toggle, panel]));
    },
  });

  /** The shown events as a list of buttons: the map for keyboards and screen readers. */
  A.EventList = A.AppControl.extend({
    options: { position: "topright", limit: 300 },

    onAdd: function () {
      const t = this._app.text;
      this._list = A.el("ol", { className: "am-event-list" });
      this._more = A.el("p", { className: "am-note" });
      this._box = A.el("details", { className: "am-list-box" }, [
        A.el("summary", { text: t.listHeading }), this._list, this._more]);
      // The list is built only while it is open, so slice switches stay cheap.
      L.DomEvent.on(this._box, "toggle", () => {
        if (this._box.open) this.update(this._app.state());
      });
      return quiet(this._box);
    },

    update: function (state) {
      if (!this._box.open) return;
      const app = this._app;
      const c = app.payload.events;
      const items = [];
      const limit = Math.min(state.indices.length, this.options.limit);
      for (let k = 0; k < limit; k++) {
        const i = state.indices[k];
        const open = A.el("button", { type: "button", className: "am-list-item",
          "aria-current": i === state.selectedIndex ? "true" : null }, [
          A.el("span", { className: "am-list-title", text: c.title[i] }),
          A.el("span", { className: "am-list-when", text: app.events.str(c.when[i]) })]);
        L.DomEvent.on(open, "click", () => app.open(c.id[i], { focus: true }));
        items.push(A.el("li", {}, [open]));
      }
      this._list.replaceChildren(...items);
      const rest = state.indices.length - limit;
      this._more.textContent = rest > 0 ? A.plural(app.text.more, rest, app.language) : "";
    },
  });
})(window);
