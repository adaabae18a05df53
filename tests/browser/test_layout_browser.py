"""Nothing covers what the reader came for, measured as geometry on four screens.

On the reader's page, /map and the export, at 390x844, 768x1024, 1366x800 and 1920x1080:
every bundled event is opened in turn, and the rectangles of its title, time, place and
first source must lie inside the viewport, be the topmost thing at their centre, and meet
none of the controls' rectangles (zoom, map key, list, time control, timeline, title box,
"place not known", attribution). The same for each story step's title and caption. One page
per screen and map; events are opened through almatyMap.open.
"""

from __future__ import annotations

import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.maprender.build import MapSpec, export_page
from tests.browser.conftest import READY

pytestmark = [pytest.mark.browser, pytest.mark.server]

VIEWPORTS = [(390, 844), (768, 1024), (1366, 800), (1920, 1080)]
PAGES = ["reader", "map", "export"]
CARD = {
    "title": ".am-pane .am-card-title",
    "time": ".am-pane .am-card .am-when",
    "place": ".am-pane .am-card .am-place",
    "first source": ".am-pane .am-card .am-sources > li",
}
STORY = {"step title": ".am-pane .am-story-title", "caption": ".am-pane .am-story-caption"}
# What is measured: each part, once brought into view (scrollIntoView, as a reader scrolls
# the card); with ``at_once``, the parts as the card opens, before any scrolling.
MEASURE = """([parts, atOnce]) => {
  const controls = {
    "zoom buttons": ".leaflet-control-zoom", "map key button": ".am-key-toggle",
    "list button": ".am-list-toggle", "time control": ".am-time", "timeline": ".am-timeline",
    "title box": ".am-titlebox", "place-not-known button": ".am-unplaced-box",
    "attribution": ".leaflet-control-attribution",
  };
  // Overlapping by more than half a pixel (edges that touch do not count).
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const name = (node) => node ? `${node.tagName.toLowerCase()}.${node.className}` : "nothing";
  const problems = [];
  for (const [part, selector] of Object.entries(parts)) {
    const node = document.querySelector(selector);
    if (!node) { problems.push(`${part}: missing`); continue; }
    if (!atOnce) node.scrollIntoView({ block: "nearest", inline: "nearest" });
    const r = node.getBoundingClientRect();
    if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5
        || r.bottom > innerHeight + 0.5) {
      problems.push(`${part}: outside the viewport (${Math.round(r.left)},${Math.round(r.top)}`
        + `-${Math.round(r.right)},${Math.round(r.bottom)})`);
      continue;
    }
    for (const [control, sel] of Object.entries(controls)) {
      for (const c of document.querySelectorAll(sel)) {
        if (c.checkVisibility() && meets(r, c.getBoundingClientRect())) {
          problems.push(`${part}: under the ${control}`);
        }
      }
    }
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    if (!hit || !node.contains(hit)) problems.push(`${part}: covered by ${name(hit)}`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def screens(browser, live_server, bundled_export):
    """A page per (viewport, map), opened once and reused for every event."""
    opened = {}
    contexts = []

    def screen(viewport, which):
        key = (viewport, which)
        if key not in opened:
            width, height = viewport
            phone = width < 500
            context = browser.new_context(
                viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
            )
            contexts.append(context)
            page = context.new_page()
            url = {
                "reader": live_server + "/",
                "map": live_server + "/map",
                "export": bundled_export.as_uri(),
            }[which]
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((live_server, "file:", "data:", "blob:"))
                    else route.abort()
                ),
            )
            page.goto(url)
            page.evaluate(READY)
            opened[key] = page
        return opened[key]

    yield screen
    for context in contexts:
        context.close()


@pytest.mark.parametrize("which", PAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_no_control_covers_any_event_card(screens, bundled, viewport, which):
    page = screens(viewport, which)
    page.evaluate("almatyMap.story(false)")
    failures = []
    for event_id in bundled.events["id"]:
        page.evaluate("(id) => almatyMap.open(id)", event_id)
        first_sight = {k: CARD[k] for k in ("title", "time", "place")}
        for problem in page.evaluate(MEASURE, [first_sight, True]):
            failures.append(f"{event_id}, as it opens: {problem}")
        for problem in page.evaluate(MEASURE, [CARD, False]):
            failures.append(f"{event_id}: {problem}")
    where = f"{viewport[0]}x{viewport[1]} {which}"
    assert not failures, f"{where}:\n" + "\n".join(failures)


@pytest.mark.parametrize("which", PAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_no_control_covers_any_story_caption(screens, bundled, viewport, which):
    page = screens(viewport, which)
    failures = []
    for step in range(len(bundled.meta.periods)):
        page.evaluate("(k) => almatyMap.story(true, k)", step)
        for problem in page.evaluate(MEASURE, [STORY, True]):
            failures.append(f"step {step + 1}: {problem}")
    page.evaluate("almatyMap.story(false)")
    where = f"{viewport[0]}x{viewport[1]} {which}"
    assert not failures, f"{where}:\n" + "\n".join(failures)


# The drawn extent of the precisely placed shown events (anchors, and the outlines of areas),
# against the map's size; and what the largest drawn shape is.
OPENING = """() => {
  const app = AlmatyMapLib.current, c = app.payload.events, map = app.map;
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (lat, lon) => {
    const p = map.latLngToContainerPoint([lat, lon]);
    box[0] = Math.min(box[0], p.x); box[1] = Math.min(box[1], p.y);
    box[2] = Math.max(box[2], p.x); box[3] = Math.max(box[3], p.y);
  };
  const visit = (xy) => typeof xy[0] === "number" ? add(xy[1], xy[0]) : xy.forEach(visit);
  const placed = Array.from(app.shownIndices).filter((i) => app.isPlaced(i));
  for (const i of placed) {
    if (c.shapes[i]) visit(c.shapes[i].coordinates);
    else add(c.y[i], c.x[i]);
  }
  const size = map.getSize();
  const largest = app.layer.largest;
  return {
    slice: app.slice, placed: placed.length, unplaced: app.unplacedShown().length,
    spread: Math.max((box[2] - box[0]) / size.x, (box[3] - box[1]) / size.y),
    inside: box[0] >= 0 && box[1] >= 0 && box[2] <= size.x && box[3] <= size.y,
    largest: largest && app.payload.precisions[c.geo_precision[largest.index]].id,
  };
}"""


@pytest.mark.parametrize("which", PAGES)
def test_the_opening_view_shows_the_placed_events_of_the_first_period(
    browser, live_server, bundled_export, which
):
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((live_server, "file:", "data:"))
            else route.abort()
        ),
    )
    page.goto(
        {
            "reader": live_server + "/",
            "map": live_server + "/map",
            "export": bundled_export.as_uri(),
        }[which]
    )
    page.evaluate(READY)
    opening = page.evaluate(OPENING)
    context.close()
    assert opening["slice"] == 0 and opening["placed"] >= 1, opening
    assert opening["spread"] >= 1 / 3 and opening["inside"], opening
    assert opening["largest"] != "city", opening


def test_events_known_only_to_the_city_are_listed_not_drawn(watched, bundled_export, bundled):
    page = watched.page
    page.goto(bundled_export.as_uri() + "#slice=3&mode=cumulative")
    page.evaluate(READY)
    city = sorted(bundled.events["id"][bundled.events["geo_precision"] == "city"])
    shown = set(page.evaluate("almatyMap.shown()"))
    listed = [i for i in city if i in shown]
    assert page.evaluate(OPENING)["largest"] != "city"
    assert page.inner_text(".am-unplaced-count") == f"{len(listed)} events: place not known"
    page.click(".am-unplaced")
    items = page.locator(".am-pane .am-unplaced-list .am-list-item")
    assert items.count() == len(listed)
    items.first.click()
    assert page.evaluate("almatyMap.state().selected") in listed
    assert "does not draw it" in page.inner_text(".am-pane .am-card .am-precision")


CONTROLS_APART = """() => {
  const names = [".leaflet-control-zoom", ".am-key-toggle", ".am-list-toggle", ".am-titlebox",
    ".am-unplaced-box", ".leaflet-control-attribution", ".am-time", ".am-timeline"];
  const boxes = names.flatMap((s) => Array.from(document.querySelectorAll(s))
    .filter((n) => n.checkVisibility()).map((n) => [s, n.getBoundingClientRect()]));
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  const out = [];
  boxes.forEach(([s, a], k) => boxes.slice(k + 1).forEach(([t, b]) => {
    if (meets(a, b)) out.push(`${s} meets ${t}`);
  }));
  return out;
}"""


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_the_controls_keep_apart_in_every_language(browser, bundled, tmp_path, viewport, language):
    """Longer Russian and Kazakh labels still leave the corners' controls side by side."""
    path = tmp_path / f"{language}.html"
    write_output(export_page(bundled, MapSpec(language=language)), path)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page.goto(path.as_uri() + "#slice=3")
    page.evaluate(READY)
    apart = page.evaluate(CONTROLS_APART)
    context.close()
    assert apart == [], f"{viewport} {language}"
