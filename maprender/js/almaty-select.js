/* almaty-map selection: cards for the events under the pointer, and their names on hover.
 *
 * One event under the pointer opens its card in the pane; several at one place are offered
 * as a list to choose from. The selected event is ringed on the canvas, kept in view, and
 * named in the URL hash.
 * Methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;

  A.selectMethods = {
    /** Open the event with this id, switching to a slice that holds it if need be. */
    open(id, options) {
      const i = this.events.index.get(String(id));
      if (i === undefined) return null;
      if (!this._isShown(i)) {
        if (this.s0[i] < 0) return null;
        if (this.range) this.setRange(null);
        if (this.story) this.startStory(this.s0[i], { focus: false });
        else this.setSlice(this.s0[i]);
      }
      return this._openIndex(i, Object.assign({ pan: true }, options || {}));
    },

    _openIndex(i, options) {
      const content = A.cardContent(this.events, i, this.payload, this.options.headingLevel);
      this.selected = i;
      this.pane.show("card", content,
        { focus: options.focus ? content.querySelector(".am-card-title") : null });
      this._select(i);
      if (options.pan !== false) this._keepInView(i);
      return content.innerText;
    },

    _select(i) {
      this.selected = i;
      this.layer.setSelected(i);
      this._changed();
    },

    /** One event under the pointer opens; several at one place are offered as a list. */
    _clicked(indices, latlng) {
      if (!this.events) return;
      if (indices.length === 1) {
        this._openIndex(indices[0], { pan: false });
        return;
      }
      this.pane.show("choice", this.choiceView(indices, latlng));
    },

    _hover(indices) {
      this._hoveringEvent = indices.length > 0;
      if (!this.events) return;
      if (!indices.length) {
        if (this._tooltip) this.map.closeTooltip(this._tooltip);
        return;
      }
      const c = this.payload.events;
      const i = indices[0];
      const more = indices.length > 1
        ? " " + A.plural(this.text.andMore, indices.length - 1, this.language) : "";
      this._tooltipIsPlace = false;
      this._showTooltip(L.latLng(c.y[i], c.x[i]), this.events.readerTexts(i).title[0] + more);
    },

    /** The one tooltip of the map (events and places share it). */
    _showTooltip(latlng, text) {
      this._tooltip = this._tooltip || L.tooltip({ direction: "top", offset: [0, -10] });
      this._tooltip.setLatLng(latlng).setContent(A.el("span", { text }));
      this.map.openTooltip(this._tooltip);
    },
  };
})(window);
