/* The reader's page: keeps the list beside the map in step with it.
 *
 * The map announces every change (almatymap:change); the list hides the events the map does
 * not show and marks the open one. A list item opens its event on the map.
 */
(function () {
  "use strict";
  const list = document.getElementById("event-list");
  const count = document.getElementById("shown-count");
  if (!list) return;
  const total = list.children.length;

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
    count.textContent = count.dataset.template
      ? count.dataset.template.replace("{shown}", visible).replace("{total}", total)
      : `${visible} of ${total} events shown on the map.`;
  }

  document.addEventListener("almatymap:change", (e) => sync(e.detail.shownIds,
    e.detail.selected));
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
