"""The reader's page past the embed limit on a database, in real Chromium: the events drawn
from vector tiles, a time slice switched, and a click's popup from the API."""

from __future__ import annotations

import json
import urllib.request

import pytest

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


def test_a_click_opens_the_event_from_the_api(tiled_page):
    page, base = tiled_page
    page.goto(base + "/")
    drawn_state(page, 0)
    page.evaluate("almatyTiledMap.map.setZoom(16, {animate: false})")
    drawn_state(page, 0)
    page.wait_for_function("() => almatyTiledMap.state().drawn.symbols > 0")
    point = page.evaluate("""() => {
        const t = almatyTiledMap;
        const c = t.layer._payload.events;
        const size = t.map.getSize();
        for (let i = 0; i < c.n; i++) {
            const p = t.map.latLngToContainerPoint([c.y[i], c.x[i]]);
            const placed = t.layer._world.placed[i];
            if (placed && p.x > 50 && p.y > 50 && p.x < size.x - 50 && p.y < size.y - 50) {
                const box = t.map.getContainer().getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }
        }
        return null;
    }""")
    assert point is not None
    page.mouse.click(*point)
    page.wait_for_function(
        "() => almatyTiledMap.state().opened && almatyTiledMap.state().opened.loaded"
    )
    opened = page.evaluate("almatyTiledMap.state().opened")
    quoted = urllib.request.quote(opened["id"], safe="")
    with urllib.request.urlopen(f"{base}/ogc/collections/events/items/{quoted}") as response:
        feature = json.load(response)
    popup = page.inner_text(".leaflet-popup-content")
    assert feature["properties"]["title"] in popup
    assert feature["properties"]["place"] in popup
