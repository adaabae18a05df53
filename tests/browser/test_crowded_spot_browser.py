"""10,000 events at one spot: clicking it offers a short list to choose from (50 at a time,
"show more" for the keyboard, ways to narrow it), never 10,000 buttons at once."""

from __future__ import annotations

import orjson
import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import MapSpec, export_page
from tests.browser.conftest import open_map

pytestmark = pytest.mark.browser

SPOT = [76.9455, 43.2386]
COUNT = 10_000


def crowded_events() -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": SPOT},
            "properties": {
                "id": f"same-spot-{k:05d}",
                "title": f"Report {k} from the square",
                "category": "protest",
                "start": "2022-01-06T12:00:00+06:00",
                "time_precision": "hour",
                "place": "Republic Square",
                "geo_precision": "exact",
                "sources": [{"publication": "Test Gazette", "title": "Many", "date": "2022-01"}],
            },
        }
        for k in range(COUNT)
    ]
    return orjson.dumps({"type": "FeatureCollection", "features": features})


@pytest.fixture
def crowded(make_dataset, tmp_path):
    folder = make_dataset(events=crowded_events().decode())
    path = tmp_path / "crowded.html"
    write_output(export_page(load_dataset(folder), MapSpec()), path)
    return path


def click_the_spot(page) -> float:
    """Click the spot; return how long the choice took to appear, in ms."""
    x, y = page.evaluate(
        """([lon, lat]) => {
        const map = AlmatyMapLib.current.map;
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top];
    }""",
        SPOT,
    )
    page.evaluate("window.__t0 = performance.now()")
    page.mouse.click(x, y)
    page.wait_for_selector(".am-choice")
    return page.evaluate("performance.now() - window.__t0")


def test_ten_thousand_events_at_one_spot_offer_a_short_list(watched, crowded):
    page = open_map(watched, crowded)
    took = click_the_spot(page)
    choice = page.locator(".am-pane .am-choice")
    assert "10,000 events here" in choice.inner_text()
    assert choice.locator(".am-list-item").count() == 50
    assert "(and 9,950 more here)" in choice.inner_text()
    assert took < 1000, f"the list took {took:.0f} ms"
    assert choice.get_by_role("button", name="Zoom in here").is_visible()
    # The keyboard reaches more: "Show 50 more" adds the next 50 and moves the focus to them.
    more = choice.get_by_role("button", name="Show 50 more")
    more.focus()
    page.keyboard.press("Enter")
    assert choice.locator(".am-list-item").count() == 100
    assert page.evaluate("document.activeElement.textContent").startswith("Report 50 from")
    page.keyboard.press("Enter")
    assert page.evaluate("almatyMap.state().selected") == "same-spot-00050"
    assert page.locator(".am-pane .am-card-title").inner_text() == "Report 50 from the square"
