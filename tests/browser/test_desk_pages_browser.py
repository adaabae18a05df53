"""The desk's edit form in real Chromium, under the desk's own Content-Security-Policy: the
place picker writes a clicked point and a chosen reference place into the form and draws
the precision as the reader's map does; the pages fit a phone and a desktop (screenshots in
docs/screenshots/desk-*.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from almaty_map.geodata.bundled import BUNDLED
from harness.serving import running
from tests.browser.conftest import Watched
from tests.conftest import loaded_database, new_database
from tests.deskhelp import PASSWORD, make_account

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.db]

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
SIZES = {"phone": (390, 844), "desktop": (1366, 800)}


@pytest.fixture(scope="module")
def desk_server(postgres):
    _, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    env = {"ALMATY_MAP_DESK_SECURE_COOKIES": "false"}
    with running("--db", url, env=env) as server:
        yield server.url, url


def open_page(browser, base: str, size: str) -> Watched:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    return Watched(context.new_page(), [base + "/"])


def sign_in(watch: Watched, base: str, name: str) -> None:
    page = watch.page
    page.goto(base + "/desk/signin")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/desk/")


def picker_ready(page) -> None:
    page.wait_for_function("() => window.deskPicker !== undefined")


def test_the_picker_fills_the_form_and_draws_the_precision(browser, desk_server):
    base, database_url = desk_server
    editor = make_account(database_url, "editor")
    watch = open_page(browser, base, "desktop")
    page = watch.page
    sign_in(watch, base, editor.name)
    page.goto(base + "/desk/events/new")
    picker_ready(page)
    assert page.is_visible("#desk-map")
    page.locator("#desk-map").scroll_into_view_if_needed()
    box = page.locator("#desk-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    longitude = float(page.input_value("#f-longitude"))
    latitude = float(page.input_value("#f-latitude"))
    assert 76.7 < longitude < 77.2 and 43.0 < latitude < 43.5
    assert page.is_checked("input[name=geometry_kind][value=point]")
    page.select_option("#f-geo_precision", "area")
    dashed = page.locator("#desk-map path[stroke-dasharray='4 4']")
    assert dashed.count() == 1  # the 1 km circle, dashed as the reader's map draws it
    assert "1 km" in page.inner_text("#desk-map-note")
    page.check("input[name=sensitive]")
    assert dashed.count() == 2  # and the published cell's circle
    assert "Sensitive" in page.inner_text("#desk-map-note")
    page.select_option("#f-place_id", "republic_square_area")
    assert page.is_checked("input[name=geometry_kind][value=place]")
    watch.page.context.close()
    assert watch.errors == [] and watch.external == []


@pytest.mark.parametrize(
    ("size", "event_id"),
    [
        ("phone", "2022-01-06-republic-square-shooting"),
        ("desktop", "2022-01-07-shoot-to-kill-order"),
    ],
)
def test_an_edit_submitted_and_reviewed_on_each_screen(browser, desk_server, size, event_id):
    """An editor corrects the title and submits it; a reviewer sees the diff. Both pages
    fit the screen without sideways scrolling (screenshots for the README)."""
    base, database_url = desk_server
    editor, reviewer = make_account(database_url, "editor"), make_account(database_url, "reviewer")
    width = SIZES[size][0]
    watch = open_page(browser, base, size)
    page = watch.page
    sign_in(watch, base, editor.name)
    page.goto(f"{base}/desk/events/{event_id}")
    picker_ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"desk-edit-{size}.png")
    page.fill("#f-title", page.input_value("#f-title") + " (corrected)")
    page.fill("#f-reason", "correction: the title names the square")
    page.fill("#f-correction_source", "Vlast.kz, 6 January 2022")
    page.click("button[value=submit]")
    page.wait_for_url(f"{base}/desk/events/{event_id}?saved=submitted")
    assert "Submitted for review." in page.inner_text("main")
    page.context.close()
    assert watch.errors == [] and watch.external == []

    watch = open_page(browser, base, size)
    page = watch.page
    sign_in(watch, base, reviewer.name)
    page.goto(base + "/desk/events?status=in_review")
    page.click(f"tr:has(a[href='/desk/events/{event_id}']) a[href$='/review']")
    assert "(corrected)" in page.inner_text("table.diff")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"desk-review-{size}.png", full_page=True)
    page.click('button:text-is("Publish")')
    page.wait_for_url(f"{base}/desk/events/{event_id}/history")
    assert "published" in page.inner_text(".history")
    page.context.close()
    assert watch.errors == [] and watch.external == []
