"""The view in the address: a shared story link starts where it says (step 1 unless a step
is named), and every state written to the hash gives the same state back when opened."""

from __future__ import annotations

import pytest

from tests.browser.conftest import READY, open_map

pytestmark = pytest.mark.browser

SHOOTING = "2022-01-06-republic-square-shooting"
# Each is put in place through the API; its hash must restore it in a fresh page.
STATES = [
    "almatyMap.setSlice(3)",
    "almatyMap.setMode('window'); almatyMap.setSlice(4)",
    "almatyMap.setMode('slice'); almatyMap.open('2022-01-07-aykorkem-killed')",
    "almatyMap.setRange('2022-01-05T00:00:00+06:00', '2022-01-07T00:00:00+06:00')",
    "almatyMap.story(true, 0)",
    "almatyMap.setMode('window'); almatyMap.story(true, 4)",
    f"almatyMap.story(true, 2); almatyMap.open('{SHOOTING}')",
]
KEYS = ("slice", "mode", "selected", "story", "range", "shown")


def story_step(page) -> str:
    return page.inner_text(".am-story-step")


def test_a_story_link_starts_at_step_one(watched, bundled_export):
    page = open_map(watched, bundled_export, "#story=1")
    assert page.evaluate("almatyMap.state().story") and story_step(page) == "STEP 1 OF 6"
    assert not page.get_by_role("button", name="Next", exact=True).is_disabled()
    assert page.get_by_role("button", name="Previous", exact=True).is_disabled()


def test_a_story_link_may_name_its_step(watched, bundled_export):
    page = open_map(watched, bundled_export, "#story=1&step=4")
    assert story_step(page) == "STEP 4 OF 6" and page.evaluate("almatyMap.state().slice") == 3
    page.goto(bundled_export.as_uri() + "#story=1&step=99")  # out of range: the first
    page.reload()
    page.evaluate(READY)
    assert story_step(page) == "STEP 1 OF 6"


@pytest.mark.parametrize("setup", STATES)
def test_every_state_round_trips_through_the_hash(watched, bundled_export, setup):
    page = open_map(watched, bundled_export)
    page.evaluate(setup)
    before = page.evaluate("almatyMap.state()")
    link = page.evaluate("location.hash")
    fresh = watched.page.context.new_page()
    fresh.route("**/*", watched._route)
    fresh.goto(bundled_export.as_uri() + link)
    fresh.evaluate(READY)
    after = fresh.evaluate("almatyMap.state()")
    assert {k: after[k] for k in KEYS} == {k: before[k] for k in KEYS}, link
    assert fresh.evaluate("location.hash") == link
    assert sorted(fresh.evaluate("almatyMap.shown()")) == sorted(page.evaluate("almatyMap.shown()"))
    if before["story"]:  # leaving the story gives back the mode it was started from
        assert fresh.evaluate("almatyMap.story(false).mode") == page.evaluate(
            "almatyMap.story(false).mode"
        )
    fresh.close()
