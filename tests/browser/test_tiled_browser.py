"""The reader's page past the embed limit on a database, in real Chromium: the events drawn
from vector tiles, a time slice switched, and a click's popup from the API."""

from __future__ import annotations

import json
import urllib.request

import pandas as pd
import pytest

from almaty_map.language.dates import when
from almaty_map.language.texts import texts_for
from harness.serving import running
from harness.synthetic import write_dataset
from tests.browser.conftest import Watched
from tests.conftest import loaded_database, new_database

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.db]

EVENTS = 3000
LIMIT = 500  # the page carries at most this many: 3,000 are tiled


@pytest.fixture(scope="module")
def tiled_server(postgres, tmp_path_factory):
    _, url = new_database(postgres)
    loaded_database(url, write_dataset(EVENTS, tmp_path_factory.mktemp("tiled") / "dataset"))
    env = {"ALMATY_MAP_MAX_PAGE_EVENTS": str(LIMIT)}
    with running("--db", url, env=env) as server:
        yield server.url


@pytest.fixture
def tiled_page(browser, tiled_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch = Watched(context.new_page(), [tiled_server])
    yield watch.page, tiled_server
    context.close()
    assert watch.errors == [], watch.errors


def drawn_state(page, slice_: int) -> dict:
    page.wait_for_function(
        f"() => window.almatyTiledMap && almatyTiledMap.state().last"
        f" && almatyTiledMap.state().last.slice === {slice_}",
        timeout=20_000,
    )
    return page.evaluate("almatyTiledMap.state()")


def option_counts(page) -> list[int]:
    labels = page.eval_on_selector_all("#am-tiled-slice option", "(os) => os.map((o) => o.text)")
    return [int(label.rsplit(":", 1)[1].replace(",", "")) for label in labels]


def painted_pixels(page) -> int:
    """Pixels the canvas layer's symbol canvas has drawn."""
    return page.evaluate("""() => {
        const canvas = document.querySelectorAll('#am-tiled-map canvas.am-canvas')[1];
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]) n++;
        return n;
    }""")


def test_the_events_are_drawn_from_tiles_with_the_slices_counts(tiled_page):
    page, base = tiled_page
    page.goto(base + "/?slice=day")
    state = drawn_state(page, 0)
    counts = option_counts(page)
    assert counts[0] == EVENTS
    # The view holds the dataset's extent: every event's tile is fetched, each id once.
    assert state["events"] == EVENTS
    assert state["drawn"]["symbols"] > 0 and painted_pixels(page) > 1000
    assert "too many to carry in the page" in page.inner_text(".am-tiled-notice")
    assert not page.evaluate("window.almatyMap")  # the embedded map's data is not there

    page.select_option("#am-tiled-slice", "3")
    state = drawn_state(page, 3)
    assert state["events"] == counts[3] < EVENTS
    requested = page.evaluate(
        "performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((n) => n.includes('/tiles/'))"
    )
    assert any("datetime=" in url for url in requested)


# The slices whose tiles of zoom ``z`` were asked for, in the order their first began.
SLICES_ASKED = """(z) => {
    const t = almatyTiledMap;
    const slices = t.data.slices.map((s) => s.datetime);
    const first = new Map();
    for (const e of performance.getEntriesByType('resource')) {
        const url = new URL(e.name);
        if (!url.pathname.includes(`/tiles/WebMercatorQuad/${z}/`)) continue;
        const k = slices.indexOf(url.searchParams.get('datetime') || '../..');
        if (!first.has(k) || e.startTime < first.get(k)) first.set(k, e.startTime);
    }
    return [...first.entries()].sort((a, b) => a[1] - b[1]).map((p) => p[0]);
}"""


def test_the_slices_next_to_the_one_shown_are_fetched_first(tiled_page):
    """After a switch, the view's tiles of the days on either side are fetched before the
    others': a reader steps to the next day or the one before."""
    page, base = tiled_page
    page.goto(base + "/?slice=day")
    drawn_state(page, 0)
    count = len(option_counts(page))
    assert count > 6
    page.select_option("#am-tiled-slice", "4")
    drawn_state(page, 4)
    zoom = page.evaluate("almatyTiledMap.map.getZoom()") + 1
    page.evaluate("performance.clearResourceTimings()")  # its buffer holds only 250
    page.evaluate(f"almatyTiledMap.map.setZoom({zoom}, {{animate: false}})")
    page.wait_for_function(f"(z) => ({SLICES_ASKED})(z).length >= 5", arg=zoom)
    assert page.evaluate(SLICES_ASKED, zoom)[:5] == [4, 5, 3, 6, 2]


FIND_EVENT = """(margin) => {
    const t = almatyTiledMap;
    const c = t.layer._payload.events;
    const size = t.map.getSize();
    for (let i = 0; i < c.n; i++) {
        const p = t.map.latLngToContainerPoint([c.y[i], c.x[i]]);
        const top = t.map.getContainer().getBoundingClientRect().top;  // on screen too
        const bottom = Math.min(size.y, window.innerHeight - top);
        const inside = p.x > margin && p.y > margin && p.x < size.x - margin
            && p.y < bottom - margin && top + p.y > margin;
        if (t.layer._world.placed[i] && inside) return [p.x, p.y, size.x, c.y[i], c.x[i]];
    }
    return null;
}"""


def click_an_event(page, target: tuple[str, int] | None = None) -> None:
    """Zoom in and click a drawn event well inside the map, or one first panned to
    ``target``: ("left" or "right", pixels from that edge), 150 pixels from the top."""
    drawn_state(page, 0)
    page.evaluate("almatyTiledMap.map.setZoom(16, {animate: false})")
    drawn_state(page, 0)
    page.wait_for_function("() => almatyTiledMap.state().drawn.symbols > 0")
    x, y, width, lat, lon = page.evaluate(FIND_EVENT, 50)
    if target is not None:
        draws = page.evaluate("almatyTiledMap.state().draws")
        edge, inset = target
        to_x = inset if edge == "left" else width - inset
        page.evaluate(f"almatyTiledMap.map.panBy([{x - to_x}, {y - 150}], {{animate: false}})")
        page.wait_for_function(f"() => almatyTiledMap.state().draws > {draws}")
        x, y = page.evaluate(
            "(at) => { const p = almatyTiledMap.map.latLngToContainerPoint(at);"
            " return [p.x, p.y]; }",
            [lat, lon],
        )
        assert abs(x - to_x) < 2 and abs(y - 150) < 2
    box = page.evaluate("almatyTiledMap.map.getContainer().getBoundingClientRect().toJSON()")
    page.mouse.click(box["left"] + x, box["top"] + y)
    page.wait_for_function(
        "() => almatyTiledMap.state().opened && almatyTiledMap.state().opened.loaded"
    )


def api_event(base: str, event_id: str) -> dict:
    quoted = urllib.request.quote(event_id, safe="")
    with urllib.request.urlopen(f"{base}/ogc/collections/events/items/{quoted}") as response:
        return json.load(response)["properties"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_click_opens_the_event_with_its_time_worded(tiled_page, lang):
    """The popup words the time as the embedded map's card does, in the page's language,
    never as the API's ISO instant."""
    page, base = tiled_page
    page.goto(f"{base}/?lang={lang}")
    click_an_event(page)
    properties = api_event(base, page.evaluate("almatyTiledMap.state().opened.id"))
    popup = page.inner_text(".leaflet-popup-content")
    assert properties["title"] in popup
    assert properties["place"] in popup
    end = pd.Timestamp(properties["end"]) if properties["end"] else None
    worded = when(
        pd.Timestamp(properties["start"]), end, properties["time_precision"], texts_for(lang)
    )
    assert worded in popup
    assert properties["start"] not in popup


@pytest.mark.parametrize("edge", ["left", "right"])
def test_a_popup_near_the_edge_of_a_phone_is_panned_into_view(browser, tiled_server, edge):
    """As the embedded map keeps its card's event in view and clear of its controls, the
    popup of an event clicked near an edge is panned wholly onto the map, off the zoom
    buttons and the attribution."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    watch = Watched(context.new_page(), [tiled_server])
    page = watch.page
    try:
        page.goto(tiled_server + "/")
        click_an_event(page, (edge, 14))
        page.wait_for_timeout(1000)  # Leaflet's pan, if any, is over
        placed = page.evaluate(POPUP_PLACE)
    finally:
        context.close()
    assert watch.errors == [], watch.errors
    popup, map_box = placed["popup"], placed["map"]
    assert map_box["left"] <= popup["left"] and popup["right"] <= map_box["right"], placed
    assert map_box["top"] <= popup["top"] and popup["bottom"] <= map_box["bottom"], placed
    assert placed["covered"] == [], placed


POPUP_PLACE = """() => {
    const box = (node) => node.getBoundingClientRect().toJSON();
    const popup = box(document.querySelector('.leaflet-popup'));
    const covered = Array.from(document.querySelectorAll('#am-tiled-map .leaflet-control'))
        .map(box)
        .filter((c) => c.width && c.left < popup.right && popup.left < c.right
            && c.top < popup.bottom && popup.top < c.bottom);
    return { popup, map: box(document.getElementById('am-tiled-map')), covered };
}"""


# Each tile of the view asked for, with the slice it was asked for and its bytes.
TILES_ASKED = """() => {
    const slices = almatyTiledMap.data.slices.map((s) => s.datetime);
    return performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/tiles/WebMercatorQuad/'))
        .map((e) => {
            const url = new URL(e.name);
            return {
                address: url.pathname.split('/').slice(-3).join('/'),
                slice: slices.indexOf(url.searchParams.get('datetime') || '../..'),
                bytes: e.decodedBodySize,
            };
        });
}"""


def test_a_slice_asks_only_for_the_tiles_where_all_times_has_events(tiled_page):
    """A slice's events are some of all times': where all times' tile is empty, so is
    every slice's, and asking for it held a connection the full tiles waited for."""
    page, base = tiled_page
    page.goto(base + "/?slice=day")
    drawn_state(page, 0)
    whole = {t["address"]: t["bytes"] for t in page.evaluate(TILES_ASKED) if t["slice"] == 0}
    empty = {address for address, size in whole.items() if size == 0}
    assert empty and len(empty) < len(whole)  # the view has both kinds
    page.select_option("#am-tiled-slice", "3")
    state = drawn_state(page, 3)
    asked = {t["address"] for t in page.evaluate(TILES_ASKED) if t["slice"] == 3}
    assert asked == set(whole) - empty
    assert state["events"] == option_counts(page)[3]


def test_while_a_slice_s_tiles_come_the_map_says_the_one_drawn_is_another(tiled_page):
    """The events drawn stay those of the slice drawn before, dimmed, and the time
    control is busy, saying which slice is drawn, until the chosen one's tiles are in."""
    page, base = tiled_page
    held = []

    def a_slice_s_tile(url: str) -> bool:
        return "/tiles/" in url and "datetime=" in url

    def hold(route) -> None:
        held.append(route)

    page.route(a_slice_s_tile, hold)  # fetched ahead or not, no slice's tile comes yet
    page.goto(base + "/?slice=day")
    drawn_state(page, 0)
    page.select_option("#am-tiled-slice", "2")
    page.wait_for_function("() => document.querySelector('#am-tiled-slice').ariaBusy === 'true'")
    shown = page.evaluate("""() => ({
        dimmed: document.getElementById('am-tiled-map').classList.contains('am-tiled-pending'),
        drawn: document.getElementById('am-tiled-slice').dataset.drawn,
        state: almatyTiledMap.state(),
    })""")
    assert shown["dimmed"] and shown["drawn"] == "0"
    assert shown["state"]["pending"] and shown["state"]["last"]["slice"] == 0
    page.unroute(a_slice_s_tile, hold)
    for route in held:
        route.continue_()
    state = drawn_state(page, 2)
    assert not state["pending"]
    assert page.evaluate("document.querySelector('#am-tiled-slice').ariaBusy") == "false"
    assert page.evaluate("document.getElementById('am-tiled-slice').dataset.drawn") == "2"
    assert not page.evaluate(
        "document.getElementById('am-tiled-map').classList.contains('am-tiled-pending')"
    )
