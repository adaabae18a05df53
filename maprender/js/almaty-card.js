/* almaty-map cards: an event's details, built on demand from its columns, for the pane
 * beside (or, on a phone, under) the map.
 *
 * Built with A.el (textContent only), so a title holding an img tag with an onerror handler
 * shows as text. Source links are kept only when they are http(s).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;

  /** A small canvas showing a category's symbol, for cards, lists and the map key. */
  A.symbolIcon = function (category, hollow) {
    const size = 18;
    const ratio = root.devicePixelRatio || 1;
    const canvas = A.el("canvas", { className: "am-symbol", "aria-hidden": "true" });
    canvas.width = size * ratio;
    canvas.height = size * ratio;
    canvas.style.width = size + "px";
    canvas.style.height = size + "px";
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.beginPath();
    A.traceSymbol(ctx, category.symbol, size / 2, size / 2, hollow ? 5 : 6);
    ctx.fillStyle = hollow ? "#ffffff" : category.colour;
    ctx.fill();
    ctx.lineWidth = hollow ? 2 : 1;
    ctx.strokeStyle = hollow ? category.colour : "#1a1a1a";
    ctx.stroke();
    return canvas;
  };

  /** Fill {name} slots with values as given (a function replacer, so "$&" in data text is
   * never read as a replacement pattern). */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (slot, name) => (name in values ? String(values[name])
      : slot));
  }

  /** A count as the source gives it (see geodata/counts.py), in the reader's language. */
  A.countText = function (count, forms, language) {
    if (!count) return forms.notReported;
    const number = (n) => n.toLocaleString(language);
    let text;
    if (count.kind === "range") {
      text = fill(forms.range, { min: number(count.min), max: number(count.max) });
    } else if (count.kind === "unnumbered") {
      text = count.words ? fill(forms.words, { words: count.words }) : forms.unnumbered;
    } else {
      text = A.plural(forms[count.kind], count.count, language);
    }
    return count.scope ? fill(forms.scope, { count: text, scope: count.scope }) : text;
  };

  /** "Placed by …": the publications whose quotes support a claim. */
  function claimField(label, positions, sources, className) {
    if (!positions) return null;
    const names = [...new Set(positions.map((k) => sources[k] && sources[k].publication))];
    return field(label, names.filter(Boolean).join(", "), className);
  }

  /** A line from one of the event's other properties, when it is text. */
  function extraNote(extra, key, words, className) {
    const value = extra && Object.hasOwn(extra, key) ? extra[key] : null;
    return typeof value === "string" && value ? A.el("p", { className, text: words(value) }) : null;
  }

  function field(label, value, className) {
    return A.el("p", { className }, [A.el("strong", { text: label + ": " }), value]);
  }

  /** The reference place's names in other languages, the reader's first (the payload
   * gives them in that order, see language/choice.py), each marked with its language. */
  A.placeNames = function (payload, placeId, className) {
    const names = placeId && Object.hasOwn(payload.place_names, placeId)
      ? payload.place_names[placeId] : [];
    if (!names.length) return null;
    const parts = names.flatMap(([lang, text], k) => [k ? " · " : null,
      A.el("span", { lang, text })]);
    return A.el("p", { className }, parts);
  };

  function sourceItem(source) {
    const label = `${source.publication}, “${source.title}”`;
    const link = A.safeUrl(source.url)
      ? A.el("a", { href: source.url, target: "_blank", rel: "noopener noreferrer", text: label })
      : A.el("span", { text: label });
    const byline = [source.author, source.date].filter(Boolean).join(", ");
    return A.el("li", {}, [
      link,
      byline ? ` (${byline})` : null,
      source.quote ? A.el("blockquote", { className: "am-quote", text: `“${source.quote}”` }) : null,
      source.note ? A.el("p", { className: "am-note", text: source.note }) : null,
    ]);
  }

  /** The card for event i; its headings sit ``level`` deep (the map's title level). */
  A.cardContent = function (events, i, payload, level) {
    const h = (depth) => `h${Math.min((level || 1) + depth, 6)}`;
    const t = payload.text;
    const c = payload.events;
    const category = payload.categories[c.category[i]];
    const precision = payload.precisions[c.geo_precision[i]];
    const fatalities = events.json(c.fatalities[i]);
    const sources = events.sources(i);
    const actors = events.run("actors", i).map((k) => events.strings[k]);
    const placeId = events.str(c.place_id[i]);
    const own = events.readerTexts(i);
    const [title, titleLang] = own.title;
    const [place, placeLang] = own.place;
    const [description, descriptionLang] = own.description;
    return A.el("article", { className: "am-card", "data-event-id": c.id[i] }, [
      A.el(h(1), { className: "am-card-title", tabindex: "-1", lang: titleLang, text: title }),
      // A translated title keeps the original under it: the data's own words are the record.
      own.translated ? A.el("p", { className: "am-original-title", lang: payload.dataset.language,
        text: own.original }) : null,
      A.el("p", { className: "am-category" }, [A.symbolIcon(category, false), " ", category.label]),
      field(t.when, events.str(c.when[i]), "am-when"),
      field(t.where, A.el("span", { lang: placeLang, text: place }), "am-place"),
      A.placeNames(payload, placeId, "am-place-names"),
      A.el("p", { className: "am-precision", text: precision.description }),
      claimField(t.datedBy, events.json(c.time_source[i]), sources, "am-dated-by"),
      claimField(t.placedBy, events.json(c.location_source[i]), sources, "am-placed-by"),
      description ? A.el("p", { className: "am-description", lang: descriptionLang,
        text: description }) : null,
      field(t.fatalities, A.countText(fatalities, t.counts, payload.language), "am-fatalities"),
      claimField(t.countedBy, events.json(c.fatalities_source[i]), sources, "am-counted-by"),
      // What an importer had to say about a value (ACLED's 0 is not a confirmed zero).
      extraNote(c.extra[i], "fatalities_note", (text) => text, "am-fatalities-note"),
      actors.length ? field(t.actors, actors.join("; "), "am-actors") : null,
      A.el(h(2), { className: "am-card-sources", text: t.sources }),
      A.el("ul", { className: "am-sources" }, sources.map(sourceItem)),
      // Fields an importer made up from the row (a title from ACLED's columns) say so.
      extraNote(c.extra[i], "built_fields", (fields) => fill(t.built, { fields }), "am-built"),
      // At the foot, as newspapers print corrections under the corrected article: what
      // changed and why, so a reader who saw the earlier version can weigh it.
      ...payload.dataset.corrections.filter((fix) => fix.event === c.id[i]).map((fix) =>
        A.el("p", { className: "am-correction" }, [A.el("strong", {
          text: fill(t.correctedOn, { date: fix.date }) + " " }), fix.change, " ",
          A.el("span", { className: "am-note", text: fix.reason })])),
    ]);
  };
})(window);
