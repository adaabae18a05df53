"""The reader's page as the README describes it: its folds' headings at one size, and the
map's corners holding what the README says on `/`, `/map` and the export (screenshots in
docs/screenshots/reader-folds.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import READY, open_map

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
# The corners' controls the README names, by what each says.
CONTROLS = ".leaflet-control .am-button, .leaflet-control-zoom a, .am-title"
ON_MAP = {"Almaty, January 2022", "About", "+", "−", "Map key", "List"}
ON_READER = {"+", "−", "Map key"}


def visible_controls(page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            CONTROLS,
            "nodes => nodes.filter(n => n.checkVisibility()).map(n => n.innerText.trim())",
        )
    )


def test_the_folds_headings_are_one_size(served):
    page = served.page
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(served.base + "/")
    page.evaluate(READY)
    sizes = {
        name: page.eval_on_selector(f"#{name}", "n => getComputedStyle(n).fontSize")
        for name in ("event-list-heading", "corrections-heading")
    }
    assert len(set(sizes.values())) == 1, sizes
    page.click("#event-list-heading")  # folded, so both headings are in one picture
    page.locator("#list-fold").scroll_into_view_if_needed()
    page.locator(".sidebar").screenshot(path=SHOTS / "reader-folds.png")


def test_the_reader_s_page_has_about_and_the_list_beside_its_map(served, bundled):
    page = served.page
    page.goto(served.base + "/")
    page.evaluate(READY)
    assert visible_controls(page) == ON_READER
    assert page.is_visible("#event-list-heading")  # the list
    assert page.is_visible(".site-header .figures a")  # the figures' sources
    assert bundled.meta.licence.strip()[:40] in page.inner_text(".site-footer")


def test_map_and_export_have_the_title_about_and_list_on_the_map(served, bundled_export):
    page = served.page
    page.goto(served.base + "/map")
    page.evaluate(READY)
    assert visible_controls(page) == ON_MAP
    exported = open_map(served, bundled_export)
    assert visible_controls(exported) == ON_MAP
