/* almaty-map dock: the time control, docked under the map rather than floating over it.
 *
 * Previous, play and next, a slider over the time slices, the story's start, the mode and
 * the status line (slice, dates, events shown). Native elements do the accessibility work:
 * a range input (arrow keys, aria-valuetext), buttons, a select, a live region.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const L = root.L;

  A.TimeControl = class TimeControl {
    constructor(app, slot) {
      const t = app.text;
      this.app = app;
      const last = Math.max(app.slices.length - 1, 0);
      const id = app.uid("slice");
      this._prev = A.button(t.previous, "‹", () => app.step(-1));
      this._play = A.button(t.play, "▶", () => app.togglePlay(), { "aria-pressed": "false" });
      this._next = A.button(t.next, "›", () => app.step(1));
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
      // The status first, then the controls: one line on a wide dock, two on a phone.
      this.container = A.el("div", { className: "am-time", role: "group",
        "aria-label": t.timeControl }, [
        this._status,
        A.el("div", { className: "am-time-rows" }, [
          A.el("div", { className: "am-time-row am-time-steps" }, [
            this._prev, this._play, this._next,
            A.el("label", { for: id, className: "am-visually-hidden", text: t.timeSlice }),
            this._range,
          ]),
          A.el("div", { className: "am-time-row" }, [
            A.el("label", { for: modeId, className: "am-mode-label", text: t.mode }),
            this._mode, this._story,
          ]),
        ]),
      ]);
      if (!app.slices.length) {
        [this._prev, this._play, this._next, this._range, this._mode].forEach((n) => {
          n.disabled = true;
        });
      }
      slot.replaceChildren(this.container);
    }

    /** Hidden while the story runs: the story's own steps take its place. */
    set hidden(value) {
      this.container.hidden = value;
    }

    focusStory() {
      if (this._story) this._story.focus();
    }

    update(state) {
      const app = this.app;
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
    }
  };
})(window);
