/* almaty-map views: what the pane shows besides an event's card.
 *
 * The map key (categories, how precisely places are known, the base maps and the reference
 * places: the legend and the layer choices behind one button), the about view (credits,
 * sources, downloads), the list of the events shown, and lists of events to choose from
 * (several at one spot, or those whose place is not known). Lists are built 50 items at a
 * time, so 10,000 events at one spot still make a short list a keyboard can walk.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const PAGE = 50;

  function slug(text) {
    return (text || "events").toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "").slice(0, 60) || "events";
  }

  /** Figures for the whole story, each with its source and quotation (sources that
   * disagree are listed side by side). */
  function figureList(app, figures) {
    if (!figures.length) return [];
    return [A.el(app.heading(2), { text: app.text.figures }),
      A.el("ul", { className: "am-figures" }, figures.map((f) => A.el("li", {}, [
        A.el("strong", { text: `${f.label}: ${f.text}` }),
        ` (${f.source.publication}, ${f.source.date}) `,
        A.el("q", { text: f.source.quote })])))];
  }

  /** The corrections log, newest first: what changed, why, on what source. */
  function correctionList(app, corrections) {
    if (!corrections.length) return [];
    return [A.el(app.heading(2), { text: app.text.corrections }),
      A.el("ul", { className: "am-corrections" }, corrections.map((c) => A.el("li", {}, [
        A.el("strong", { text: `${c.date}: ` }), c.change, " ",
        A.el("span", { className: "am-note", text: `${c.reason} ${c.source}` })])))];
  }

  A.viewsMethods = {
    /** Events as buttons that open their cards, ``PAGE`` at a time. */
    eventButtons(indices, moreText) {
      const t = this.text;
      const c = this.payload.events;
      const list = A.el("ol", { className: "am-event-list" });
      const note = A.el("p", { className: "am-note am-list-more" });
      const more = A.el("button", { type: "button", className: "am-button am-show-more" });
      let done = 0;
      const add = () => {
        const items = [];
        for (const i of indices.slice(done, done + PAGE)) {
          const title = this.events.readerTexts(i).title;
          const open = A.el("button", { type: "button", className: "am-list-item",
            "aria-current": i === this.selected ? "true" : null }, [
            A.symbolIcon(this.payload.categories[c.category[i]], false),
            A.el("span", { className: "am-list-title", lang: title[1], text: title[0] }),
            A.el("span", { className: "am-list-when", text: this.events.str(c.when[i]) })]);
          L.DomEvent.on(open, "click", () => this._openIndex(i, { focus: true }));
          items.push(A.el("li", {}, [open]));
        }
        list.append(...items);
        done += items.length;
        const rest = indices.length - done;
        note.textContent = rest > 0 ? A.plural(moreText, rest, this.language) : "";
        more.hidden = rest <= 0;
        more.textContent = A.plural(t.showMore, Math.min(rest, PAGE), this.language);
        return items.length ? items[0].firstChild : null;
      };
      L.DomEvent.on(more, "click", () => {
        const first = add();
        if (first) first.focus();
      });
      add();
      return A.el("div", { className: "am-event-buttons" }, [list, note, more]);
    },

    /** Several events under the pointer: a short list to choose from, and ways to narrow
     * it (zooming in splits a spot; a shorter time slice holds fewer events). */
    choiceView(indices, latlng) {
      const t = this.text;
      const zoomIn = A.button(t.zoomIn, t.zoomIn, () => {
        this.pane.close("choice");
        this.map.setView(latlng, Math.min(this.map.getZoom() + 2, this.map.getMaxZoom()),
          { animate: false });
      }, { className: "am-button am-zoom-in" });
      zoomIn.disabled = this.map.getZoom() >= this.map.getMaxZoom();
      return A.el("section", { className: "am-choice" }, [
        A.el(this.heading(1), { className: "am-view-title",
          text: A.plural(t.here, indices.length, this.language) }),
        this.eventButtons(indices, t.andMore),
        indices.length > PAGE ? A.el("p", { className: "am-note", text: t.narrow }) : null,
        zoomIn,
      ]);
    },

    /** The shown events whose place is known only to the city: not drawn on the map at a
     * guessed spot, but listed here with their symbols. */
    unplacedView() {
      const t = this.text;
      return A.el("section", { className: "am-unplaced-list" }, [
        A.el(this.heading(1), { className: "am-view-title", text: t.unplaced }),
        A.el("p", { className: "am-note", text: t.unplacedNote }),
        this.eventButtons(Array.from(this.unplacedShown()), t.andMore),
      ]);
    },

    /** The shown events in order: the map for keyboards and screen readers. */
    listView() {
      const t = this.text;
      return A.el("section", { className: "am-list-box" }, [
        A.el(this.heading(1), { className: "am-view-title", text: t.listHeading }),
        this.eventButtons(Array.from(this.shownIndices), t.more),
      ]);
    },

    /** The map key: what the symbols mean, and which base map and overlays are shown. */
    keyView() {
      const t = this.text;
      const p = this.payload;
      const example = p.categories[0];
      const categories = p.categories.map((cat) => A.el("li", {}, [
        A.symbolIcon(cat, false), " ", cat.label]));
      const precisions = p.precisions.map((entry) => A.el("li", {}, [
        entry.drawn === false ? A.el("span", { className: "am-unplaced-swatch",
          "aria-hidden": "true", text: "?" })
          : entry.radius === 0 ? A.symbolIcon(example, false)
            : A.el("span", { className: "am-dashed", "aria-hidden": "true" }),
        " ", entry.drawn === false ? `${entry.label}: ${t.unplacedKey}` : entry.label]));
      return A.el("section", { className: "am-key" }, [
        A.el(this.heading(1), { className: "am-view-title", text: t.legend }),
        A.el("div", { className: "am-legend" }, [
          A.el(this.heading(2), { text: t.categories }),
          A.el("ul", {}, categories),
          A.el(this.heading(2), { text: t.precision }),
          A.el("ul", {}, precisions),
          p.places.features.length ? A.el("p", {}, [
            A.el("span", { className: "am-place-swatch", "aria-hidden": "true" }), " ",
            t.places]) : null,
        ]),
        this._layerChoices(),
      ]);
    },

    /** The base maps (one at a time) and the reference places (on or off). */
    _layerChoices() {
      const t = this.text;
      const name = this.uid("base");
      const bases = this.bases.map((base, k) => {
        const input = A.el("input", { type: "radio", name, value: String(k),
          checked: this.map.hasLayer(base.layer) });
        L.DomEvent.on(input, "change", () => this.setBase(k));
        return A.el("label", { className: "am-choice-line" }, [input, " ", base.name]);
      });
      let places = null;
      if (this._placesGroup) {
        const input = A.el("input", { type: "checkbox",
          checked: this.map.hasLayer(this._placesGroup) });
        L.DomEvent.on(input, "change", () => {
          if (input.checked) this.map.addLayer(this._placesGroup);
          else this.map.removeLayer(this._placesGroup);
        });
        places = A.el("label", { className: "am-choice-line" }, [input, " ", t.referencePlaces]);
      }
      return A.el("div", { className: "am-layers" }, [
        A.el("fieldset", {}, [A.el("legend", { text: t.baseMap }), ...bases]),
        places,
      ]);
    },

    setBase(k) {
      this.bases.forEach((base, j) => {
        if (j !== k && this.map.hasLayer(base.layer)) this.map.removeLayer(base.layer);
      });
      if (this.bases[k]) this.map.addLayer(this.bases[k].layer);
    },

    /** Credits, sources, licences and the downloads of the embedded data. */
    aboutView() {
      const t = this.text;
      const meta = this.payload.dataset;
      return A.el("section", { className: "am-about" }, [
        A.el(this.heading(1), { className: "am-view-title", text: t.aboutRegion }),
        meta.summary ? A.el("p", { text: meta.summary }) : null,
        meta.credits ? A.el("p", {}, [A.el("strong", { text: t.credits + ": " }), meta.credits])
          : null,
        A.el("p", {}, [A.el("strong", { text: t.licence + ": " }), meta.licence || "",
          meta.version ? ` ${t.version.replace("{v}", () => meta.version)}` : ""]),
        ...figureList(this, meta.figures),
        ...correctionList(this, meta.corrections),
        A.el(this.heading(2), { text: t.sources }),
        A.el("ul", { className: "am-source-list" }, meta.sources.map((s) => A.el("li", {}, [
          A.safeUrl(s.url) ? A.el("a", { href: s.url, target: "_blank",
            rel: "noopener noreferrer", text: `${s.publication}, “${s.title}”` })
            : `${s.publication}, “${s.title}”`]))),
        A.el(this.heading(2), { text: t.download }),
        A.el("p", { className: "am-downloads" }, [
          A.button(t.downloadGeojson, "GeoJSON", () => A.download(
            JSON.stringify(this.events.geojson()), `${slug(meta.title)}.geojson`,
            "application/geo+json")),
          " ",
          A.button(t.downloadCsv, "CSV", () => A.download(this.events.csv(),
            `${slug(meta.title)}.csv`, "text/csv")),
        ]),
        A.el("p", { className: "am-note",
          text: A.plural(t.downloadNote, this.size, this.language) }),
        A.el("details", {}, [
          A.el("summary", { text: t.softwareLicences }),
          A.el("pre", { className: "am-licence", text: this.payload.licences.join("\n\n") }),
        ]),
      ]);
    },
  };
})(window);
