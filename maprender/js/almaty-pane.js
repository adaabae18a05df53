/* almaty-map pane: where what the reader came for is shown, so that nothing covers it.
 *
 * An event's card, the story's caption, a list of events and the map key are content, and
 * content never sits under the map's controls: it goes in this pane, which is part of the
 * page's layout rather than floating over the map. On a wide frame the pane is a column
 * beside the map (showing the map key when nothing else is open); on a narrow one it is a
 * sheet between the map and the time control, there only while something is open. The map
 * shrinks to make room and keeps the open event's marker in view.
 *
 * The pane holds the story step (while the story runs) above one view: a card, a list or
 * the key. Its close button and the Escape key close the view and give the focus back to
 * whatever opened it.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const WIDE_FROM_PX = 720;  // a frame this wide keeps the pane beside the map

  A.Pane = class Pane {
    constructor(app, element) {
      this.app = app;
      this.element = element;
      this.frame = element.parentElement;
      const t = app.text;
      element.id = app.uid("pane");
      element.setAttribute("aria-label", t.details);
      this.storySlot = A.el("div", { className: "am-pane-story" });
      this.closeButton = A.el("button", { type: "button", className: "am-button am-pane-close",
        "aria-label": t.close, title: t.close, text: "×" });
      this.body = A.el("div", { className: "am-pane-body" });
      this.viewBox = A.el("div", { className: "am-pane-view" }, [
        A.el("div", { className: "am-pane-head" }, [this.closeButton]), this.body]);
      element.replaceChildren(this.storySlot, this.viewBox);
      this.view = null;
      this.standing = false;  // the view is the wide pane's default (the key), not opened
      L.DomEvent.on(this.closeButton, "click", () => this.close());
      L.DomEvent.on(element, "keydown", (e) => {
        if (e.key === "Escape" && this.view && !this.standing) {
          e.preventDefault();
          this.close();
        }
      });
      A.quiet(element);
      this.wide = this.frame.clientWidth >= WIDE_FROM_PX;
      this.frame.classList.toggle("am-wide", this.wide);
      new ResizeObserver(() => this._measure()).observe(this.frame);
    }

    /** Show ``content`` as the view ``name``; ``options.focus`` is the element to focus. */
    show(name, content, options) {
      const active = document.activeElement;
      if (!this.view || this.standing) {
        this._opener = active && !this.element.contains(active) ? active : null;
      }
      if (this.view === "card" && name !== "card") this.app._select(-1);
      this.view = name;
      this.standing = Boolean(options && options.standing);
      this.body.replaceChildren(content);
      this.layout();
      if (!this.standing) this._reveal();
      if (options && options.focus) options.focus.focus({ preventScroll: true });
      this.app._paneChanged();
    }

    /** Scroll the new view's top into sight: in the pane (under the story step, if any)
     * and, where the page scrolls (the reader's page on a phone), the pane in the page. */
    _reveal() {
      const pane = this.element;
      pane.scrollTop += this.viewBox.getBoundingClientRect().top
        - pane.getBoundingClientRect().top - 8;
      const box = pane.getBoundingClientRect();
      if (box.top < 0 || box.bottom > root.innerHeight) {
        pane.scrollIntoView({ block: box.height > root.innerHeight ? "start" : "nearest" });
      }
    }

    /** Close the open view (or only ``name``, if that is the one open). */
    close(name) {
      if (!this.view || (name && this.view !== name)) return;
      const closing = this.view;
      this.view = null;
      this.standing = false;
      this.body.replaceChildren();
      if (closing === "card") this.app._select(-1);
      const opener = this._opener;
      this._opener = null;
      this.layout();
      if (!name && opener && opener.isConnected) opener.focus();
      else if (!name) this.app.map.getContainer().focus();
      this.app._paneChanged();
    }

    /** Put the pane where the frame's width wants it, and let the map take the rest. */
    layout() {
      const app = this.app;
      if (!this.view && this.wide && !app.story) {
        this.show("key", app.keyView(), { standing: true });
        return;
      }
      if (this.view && this.standing && !this.wide) {
        this.view = null;
        this.standing = false;
        this.body.replaceChildren();
      }
      this.viewBox.hidden = !this.view;
      this.closeButton.hidden = this.standing;
      const open = Boolean(this.view) || app.story;
      this.element.hidden = !open;
      this.frame.classList.toggle("am-pane-open", open);
      app._resized();
    }

    _measure() {
      const wide = this.frame.clientWidth >= WIDE_FROM_PX;
      if (wide === this.wide) return;
      this.wide = wide;
      this.frame.classList.toggle("am-wide", wide);
      this.layout();
    }
  };
})(window);
