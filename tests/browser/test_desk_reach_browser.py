"""The edit form's actions within reach on a phone: the save bar is at the end of a long
form there (a sticky bar would cover a third of a phone's screen), so a slim bar stays at
the top leading to it, and nothing focused or jumped to ends up under that bar. On a laptop
the save bar itself stays at the bottom of the screen."""

from __future__ import annotations

import pytest

from almaty_map.geodata.bundled import BUNDLED
from harness.serving import running
from tests.browser.test_desk_pages_browser import open_page, picker_ready, sign_in
from tests.conftest import loaded_database, new_database
from tests.deskhelp import make_account

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.db]

EVENT = "2022-01-05-state-of-emergency"
# The rectangle of a selector in the viewport, and the viewport's height.
RECT = """(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: innerHeight };
}"""


@pytest.fixture(scope="module")
def desk_server(postgres):
    _, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    with running("--db", url, env={"ALMATY_MAP_DESK_SECURE_COOKIES": "false"}) as server:
        yield server.url, url


def in_view(page, selector: str) -> bool:
    box = page.evaluate(RECT, selector)
    return box["top"] >= 0 and box["bottom"] <= box["height"]


def test_on_a_phone_the_actions_are_one_tap_away_and_cover_no_field(browser, desk_server):
    base, database_url = desk_server
    watch = open_page(browser, base, "phone")
    page = watch.page
    sign_in(watch, base, make_account(database_url, "editor").name)
    page.goto(f"{base}/desk/events/{EVENT}")
    picker_ready(page)
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * 844  # a long form
    assert in_view(page, ".jump-to-save a") and not in_view(page, "button[value=submit]")
    page.focus("#f-fatalities_scope")  # halfway down: the bar is still there, above it
    bar = page.evaluate(RECT, ".jump-to-save")
    field = page.evaluate(RECT, "#f-fatalities_scope")
    assert bar["top"] >= -0.5 and bar["bottom"] <= field["top"], (bar, field)
    page.click(".jump-to-save a")
    page.wait_for_function("() => location.hash === '#save'")
    for selector in ("#f-reason", "#f-correction_source", "button[value=submit]"):
        assert in_view(page, selector), selector
    label = page.evaluate(RECT, "label[for=f-reason]")
    assert label["top"] >= page.evaluate(RECT, ".jump-to-save")["bottom"] - 0.5
    page.context.close()
    assert watch.errors == [] and watch.external == []


def test_on_a_laptop_the_save_bar_stays_on_screen(browser, desk_server):
    base, database_url = desk_server
    watch = open_page(browser, base, "desktop")
    page = watch.page
    sign_in(watch, base, make_account(database_url, "editor").name)
    page.goto(f"{base}/desk/events/{EVENT}")
    picker_ready(page)
    for selector in ("#f-reason", "#f-correction_source", "button[value=submit]"):
        assert in_view(page, selector), selector
    page.focus("#f-translations-0-title")
    assert in_view(page, "button[value=submit]")
    page.context.close()
    assert watch.errors == [] and watch.external == []
