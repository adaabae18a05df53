/* almaty-map story: the named periods one after another, each with its caption.
 *
 * While the story runs, its step takes the time control's place and stands at the top of
 * the pane (almaty-pane.js), where no control covers it: each step shows one period's
 * events, fits the map to them and tells what happened in the dataset's own words (its
 * caption). The arrow keys step too; "Explore freely" hands the map back, in the mode it
 * had before. The hand-off is methods of the App (almaty-app.js).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;
  const FORM_FIELDS = new Set(["INPUT", "SELECT", "TEXTAREA"]);

  A.StoryPanel = class StoryPanel {
    constructor(app, slot) {
      const t = app.text;
      this.app = app;
      this.slot = slot;
      this._step = A.el("p", { className: "am-story-step" });
      this._title = A.el(app.heading(1), { className: "am-story-title", tabindex: "-1" });
      this._dates = A.el("p", { className: "am-story-dates" });
      this._caption = A.el("p", { className: "am-story-caption" });
      this._count = A.el("p", { className: "am-story-count" });
      this._previous = this._button(t.storyPrevious, "‹ " + t.storyPrevious, -1);
      this._next = this._button(t.storyNext, t.storyNext + " ›", 1);
      const exit = A.el("button", { type: "button", className: "am-button am-story-exit",
        text: t.storyExit });
      L.DomEvent.on(exit, "click", () => app.stopStory());
      this.container = A.el("section", { className: "am-story", "aria-label": t.story }, [
        A.el("div", { "aria-live": "polite" }, [this._step, this._title, this._dates,
          this._caption, this._count]),
        A.el("div", { className: "am-story-nav" }, [this._previous, this._next, exit]),
      ]);
    }

    _button(label, text, delta) {
      const node = A.el("button", { type: "button", className: "am-button am-story-move",
        "aria-label": label, text });
      L.DomEvent.on(node, "click", () => this.app.storyStep(delta));
      return node;
    }

    show(on) {
      if (on) this.slot.replaceChildren(this.container);
      else this.slot.replaceChildren();
    }

    update(state) {
      const app = this.app;
      const t = app.text;
      const current = app.slices[state.slice];
      if (!current) return;
      this._step.textContent = t.storyStep.replace("{k}", state.slice + 1)
        .replace("{n}", app.slices.length);
      this._title.textContent = current.label;
      this._dates.textContent = current.dates;
      this._caption.textContent = current.caption || "";
      this._caption.hidden = !current.caption;
      this._count.textContent = A.plural(t.eventsShown, state.shown, app.language);
      this._previous.disabled = state.slice <= 0;
      this._next.disabled = state.slice >= app.slices.length - 1;
    }

    focusNext() {
      (this._next.disabled ? this._title : this._next).focus({ preventScroll: true });
    }
  };

  A.storyMethods = {
    startStory(step, options) {
      if (!this.storyPanel || !this.slices.length) return this.state();
      if (!this.story) {
        this._storyMode = this.mode;
        this.story = true;
        if (this._timer) this.togglePlay();
        this.time.hidden = true;
        this.storyPanel.show(true);
        if (this.pane.standing) this.pane.close("key");
        else this.pane.layout();
        if (this.map.keyboard) this.map.keyboard.disable();  // the arrows step the story
      }
      this.mode = "slice";
      this.slice = Math.min(Math.max(Math.round(Number(step)) || 0, 0), this.slices.length - 1);
      this._apply();
      this._fit();
      this.pane.element.scrollTop = 0;  // the step's caption first
      if (!options || options.focus !== false) this.storyPanel.focusNext();
      return this.state();
    },

    storyStep(delta) {
      if (!this.story) return this.state();
      return this.startStory(this.slice + delta, { focus: false });
    },

    stopStory() {
      if (!this.story) return this.state();
      this.story = false;
      this.storyPanel.show(false);
      this.time.hidden = false;
      this.pane.layout();
      if (this.map.keyboard) this.map.keyboard.enable();
      this.mode = this._storyMode || this.mode;
      this._apply();
      this.time.focusStory();
      return this.state();
    },

    _storyKey(e) {
      if (!this.story || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const target = e.target;
      if (target && (FORM_FIELDS.has(target.tagName) || target.isContentEditable)) return;
      e.preventDefault();
      this.storyStep(e.key === "ArrowRight" ? 1 : -1);
    },
  };
})(window);
