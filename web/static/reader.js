/* The reader's page: keeps the list beside the map in step with it, folds the filters and
 * the list away on a phone, and turns a drag over the map's timeline into the date filter.
 *
 * The map announces every change (almatymap:change); the list hides the events the map does
 * not show and marks the open one. A list item opens its event on the map.
 */
(function () {
  "use strict";
  const list = document.getElementById("event-list");
  const count = document.getElementById("shown-count");
  const form = document.getElementById("filters");
  if (!list) return;
  const total = list.children.length;

  if (window.matchMedia("(max-width: 700px)").matches) {
    for (const id of ["filters-fold", "list-fold"]) {
      const fold = document.getElementById(id);
      if (fold && !fold.querySelector("[aria-invalid], .errors")) fold.open = false;
    }
  }

  function sync(shownIds, selected) {
    const shown = new Set(shownIds);
    let visible = 0;
    for (const item of list.children) {
      const id = item.dataset.eventId;
      item.hidden = !shown.has(id);
      if (!item.hidden) visible += 1;
      const button = item.querySelector("button");
      if (id === selected) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    count.textContent = count.dataset.template.replace("{shown}", visible)
      .replace("{total}", total);
  }

  document.addEventListener("almatymap:change", (e) => sync(e.detail.shownIds,
    e.detail.selected));
  // A drag over the timeline picks days: they become this page's date filter.
  document.addEventListener("almatymap:range", (e) => {
    if (!form) return;
    e.preventDefault();
    form.elements.start.value = e.detail.start;
    form.elements.end.value = e.detail.end;
    form.requestSubmit();
  });
  list.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-event-id]");
    if (button && window.almatyMap) {
      window.almatyMap.open(button.dataset.eventId, { focus: true });
    }
  });
  const ready = () => sync(window.almatyMap.shown(), window.almatyMap.state().selected);
  if (window.almatyMap) ready();
  else document.addEventListener("almatymap:ready", ready, { once: true });
})();
