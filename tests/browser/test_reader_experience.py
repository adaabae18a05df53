"""The reader's experience in real Chromium: story mode, the timeline, a phone, the keyboard,
axe-core, and the interface in Russian and Kazakh."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import expected_slices, open_map

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOOTING = "2022-01-06-republic-square-shooting"
AYKORKEM = "2022-01-07-aykorkem-killed"


def state(page) -> dict:
    return page.evaluate("almatyMap.state()")


def story_text(page) -> dict:
    return page.evaluate("""(() => {
        const panel = document.querySelector('.am-story');
        if (!panel) return null;
        const text = (s) => panel.querySelector(s).textContent;
        return {step: text('.am-story-step'), title: text('.am-story-title'),
                caption: text('.am-story-caption')};
    })()""")


def all_shown_in_view(page) -> bool:
    """Every shown event drawn on the map has its anchor inside the visible map; those whose
    place is known only to the city are counted under "place not known" instead."""
    return page.evaluate("""(() => {
        const app = AlmatyMapLib.current, c = app.payload.events, bounds = app.map.getBounds();
        const unplaced = app.unplacedShown().length;
        const counted = unplaced === 0 || document.querySelector('.am-unplaced-count')
          .textContent.startsWith(String(unplaced));
        return counted && Array.from(app.shownIndices).every((i) => !app.isPlaced(i)
          || bounds.contains([c.y[i], c.x[i]]));
    })()""")


def press_tab_until(page, selector: str, limit: int = 80) -> None:
    """Tab through the page until ``selector`` has the focus: reachable by keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reachable with the Tab key")


# --- story -----------------------------------------------------------------------------


def test_story_steps_through_the_periods_with_their_captions(watched, bundled_export, bundled):
    page = open_map(watched, bundled_export)
    periods = bundled.meta.periods
    expected = expected_slices(bundled)
    page.get_by_role("button", name="Story", exact=True).click()
    for k, period in enumerate(periods):
        shown = state(page)
        assert shown["story"] and shown["mode"] == "slice" and shown["slice"] == k
        assert story_text(page) == {
            "step": f"Step {k + 1} of {len(periods)}",
            "title": period.label,
            "caption": period.caption,
        }
        assert sorted(page.evaluate("almatyMap.shown()")) == expected[k]
        assert all_shown_in_view(page), period.label
        assert "story=1" in page.evaluate("location.hash")
        if k < len(periods) - 1:
            page.get_by_role("button", name="Next", exact=True).click()
    assert page.get_by_role("button", name="Next", exact=True).is_disabled()
    page.get_by_role("button", name="Previous", exact=True).click()
    assert state(page)["slice"] == len(periods) - 2
    page.get_by_role("button", name="Explore freely").click()
    after = state(page)
    assert not after["story"] and after["mode"] == "cumulative"
    assert page.locator(".am-story").count() == 0 and page.locator(".am-time").is_visible()


def test_story_opens_from_the_address_and_follows_the_arrow_keys(watched, bundled_export):
    page = open_map(watched, bundled_export, "#story=1&slice=1")
    assert state(page)["story"] and story_text(page)["step"] == "Step 2 of 6"
    page.keyboard.press("ArrowRight")
    assert state(page)["slice"] == 2 and story_text(page)["step"] == "Step 3 of 6"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert state(page)["slice"] == 0
    page.keyboard.press("ArrowLeft")  # stays at the first step
    assert state(page)["slice"] == 0 and all_shown_in_view(page)


def test_opening_an_event_outside_the_step_moves_the_story_to_it(watched, bundled_export):
    page = open_map(watched, bundled_export, "#story=1")
    page.evaluate(f"almatyMap.open('{AYKORKEM}')")
    now = state(page)
    assert now["story"] and now["selected"] == AYKORKEM
    assert AYKORKEM in page.evaluate("almatyMap.shown()")
    assert story_text(page)["title"] == now["label"]


# --- timeline --------------------------------------------------------------------------


def mark(page, event_id: str) -> dict:
    point = page.evaluate(f"almatyMap.timelinePosition('{event_id}')")
    assert point, f"{event_id} has no mark on the timeline"
    return point


def test_clicking_a_timeline_mark_opens_that_event_on_map_and_list(served):
    page = served.page
    page.goto(served.base + "/")
    page.wait_for_function("window.almatyMap !== undefined")
    point = mark(page, AYKORKEM)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(".am-pane .am-card")
    assert state(page)["selected"] == AYKORKEM
    assert "Aykorkem" in page.inner_text(".am-pane .am-card-title")
    current = page.locator('#event-list button[aria-current="true"]')
    assert current.get_attribute("data-event-id") == AYKORKEM


def test_dragging_over_the_timeline_sets_the_reader_date_filter(served):
    page = served.page
    page.goto(served.base + "/")
    page.wait_for_function("window.almatyMap !== undefined")
    # Both events are dated to the day (their marks at midnight): drag from just inside
    # the first day to just inside the last.
    start = mark(page, "2022-01-05-akimat-stormed")
    end = mark(page, "2022-01-07-shoot-to-kill-order")
    page.mouse.move(start["x"] + 3, start["y"])
    page.mouse.down()
    page.mouse.move((start["x"] + end["x"]) / 2, end["y"], steps=4)
    page.mouse.move(end["x"] + 3, end["y"], steps=4)
    page.mouse.up()
    page.wait_for_url("**/?start=2022-01-05&end=2022-01-07**")
    page.wait_for_function("window.almatyMap !== undefined")
    assert page.input_value("#start") == "2022-01-05" and page.input_value("#end") == "2022-01-07"
    shown = page.evaluate("almatyMap.events()")
    assert "2022-01-06-republic-square-shooting" in shown
    assert "2022-06-aykorkem-mural-painted-over" not in shown


def test_in_the_export_a_timeline_drag_filters_the_map_itself(watched, bundled_export, bundled):
    page = open_map(watched, bundled_export)
    start = mark(page, "2022-01-06-csto-arrives")
    page.mouse.move(start["x"] - 2, start["y"])
    page.mouse.down()
    page.mouse.move(start["x"] + 3, start["y"], steps=3)
    page.mouse.move(start["x"] + 8, start["y"], steps=3)
    page.mouse.up()
    shown = page.evaluate("almatyMap.shown()")
    range_ = state(page)["range"]
    assert range_ is not None and "story" not in page.evaluate("location.hash")
    on_day = bundled.events[
        (bundled.events["start"] < "2022-01-07T00:00:00+06:00")
        & (bundled.events["end"].fillna(bundled.events["start"]) >= "2022-01-06T00:00:00+06:00")
    ]
    assert set(shown) <= set(on_day["id"]) and "2022-01-06-csto-arrives" in shown
    # The map opened on the first period; the time control followed the dates to 6 January.
    assert state(page)["slice"] == 2 and state(page)["mode"] == "cumulative"
    page.get_by_role("button", name="Show all dates").click()
    assert state(page)["range"] is None
    everything_to_6_january = set().union(*expected_slices(bundled)[:3])
    assert set(page.evaluate("almatyMap.shown()")) == everything_to_6_january


# --- phone -----------------------------------------------------------------------------

SMALL_TARGETS = """(() => {
    const small = [];
    const check = (node, box) => {
      if (box.width < 44 - 0.5 || box.height < 44 - 0.5) {
        small.push(`${node.tagName.toLowerCase()}.${node.className} "${
          (node.textContent || node.getAttribute('aria-label') || '').trim().slice(0, 30)}" `
          + `${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    };
    const controls = 'button, select, summary, input, .leaflet-control a, '
      + '.languages a, .downloads a, .actions a, a.leaflet-popup-close-button';
    for (const node of document.querySelectorAll(controls)) {
      if (node.closest('.leaflet-control-attribution')) continue;
      const box = node.getBoundingClientRect();
      if (!box.width || !box.height || node.closest('[hidden]')) continue;
      if (node.type === 'hidden') continue;
      // A checkbox is operated through its whole label.
      const target = node.type === 'checkbox' ? node.closest('label') : node;
      check(node, target.getBoundingClientRect());
    }
    return small;
})()"""


@pytest.fixture
def phone(browser, watched):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route("**/*", watched._route)
    page.on("console", watched._console)
    page.on("pageerror", lambda exc: watched.errors.append(f"pageerror: {exc}"))
    yield page
    context.close()


def test_phone_layout_of_the_reader_page(phone, served):
    phone.goto(served.base + "/")
    phone.wait_for_function("window.almatyMap !== undefined")
    layout = phone.evaluate("""(() => ({
        scroll: document.documentElement.scrollWidth, width: innerWidth,
        map: document.querySelector('.am-map').getBoundingClientRect().height,
        filters: document.getElementById('filters-fold').open,
        list: document.getElementById('list-fold').open,
    }))()""")
    assert layout["scroll"] <= layout["width"], layout
    assert layout["map"] >= PHONE["height"] / 2, layout
    assert not layout["filters"] and not layout["list"], layout
    assert phone.evaluate(SMALL_TARGETS) == []
    phone.get_by_text("Filters").click()
    assert phone.locator("#start").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_layout_of_the_export_and_story(phone, bundled_export):
    phone.goto(bundled_export.as_uri())
    phone.wait_for_function("window.almatyMap !== undefined")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate("document.querySelector('.am-map').offsetHeight") >= PHONE["height"] / 2
    assert phone.evaluate(SMALL_TARGETS) == []
    phone.evaluate(f"almatyMap.open('{SHOOTING}')")
    phone.wait_for_timeout(300)
    assert phone.evaluate(SMALL_TARGETS) == []
    phone.evaluate("almatyMap.story(true, 2)")
    panel = phone.locator(".am-story").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    assert phone.evaluate(SMALL_TARGETS) == []


# --- keyboard --------------------------------------------------------------------------


def test_keyboard_alone_reaches_time_control_story_and_list(served):
    page = served.page
    page.goto(served.base + "/")
    page.wait_for_function("window.almatyMap !== undefined")
    press_tab_until(page, ".am-range")
    page.keyboard.press("Home")
    assert state(page)["slice"] == 0
    page.keyboard.press("ArrowRight")
    assert state(page)["slice"] == 1
    assert page.evaluate("document.activeElement.getAttribute('aria-valuetext')").startswith(
        page.evaluate("almatyMap.slices()[1].label")
    )
    press_tab_until(page, ".am-mode")
    press_tab_until(page, ".am-story-start")
    page.keyboard.press("Enter")
    assert state(page)["story"]
    assert page.evaluate("document.activeElement.textContent").startswith("Next")
    page.keyboard.press("Enter")
    assert state(page)["slice"] == 1
    page.keyboard.press("ArrowRight")
    assert state(page)["slice"] == 2
    press_tab_until(page, ".am-story-exit")
    page.keyboard.press("Enter")
    assert not state(page)["story"]
    assert page.evaluate("document.activeElement.classList.contains('am-story-start')")
    # The list shows what the map shows (up to 6 January now): its items open on Enter.
    press_tab_until(page, f'#event-list button[data-event-id="{SHOOTING}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(".am-pane .am-card")
    assert page.evaluate("document.activeElement.classList.contains('am-card-title')")
    assert state(page)["selected"] == SHOOTING


def test_timeline_buttons_step_through_events_in_time_order(watched, bundled_export, bundled):
    page = open_map(watched, bundled_export)
    ordered = list(bundled.events.sort_values(["start"], kind="stable")["id"])
    page.get_by_role("button", name="Next event in time").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert state(page)["selected"] == ordered[1]
    page.get_by_role("button", name="Previous event in time").click()
    assert state(page)["selected"] == ordered[0]


# --- accessibility -----------------------------------------------------------------------


def serious_violations(page) -> list[str]:
    page.wait_for_timeout(400)  # let popups finish fading in
    results = Axe().run(page).response
    assert results["testEngine"]["name"] == "axe-core"
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious_on_the_reader_page(served, phone):
    page = served.page
    page.goto(served.base + "/")
    page.wait_for_function("window.almatyMap !== undefined")
    assert serious_violations(page) == []
    page.evaluate(f"almatyMap.open('{SHOOTING}')")
    assert serious_violations(page) == []
    phone.goto(served.base + "/?lang=kk")
    phone.wait_for_function("window.almatyMap !== undefined")
    assert serious_violations(phone) == []


def test_axe_finds_nothing_serious_in_the_export_and_story(watched, bundled_export):
    page = open_map(watched, bundled_export)
    page.evaluate("document.querySelector('.am-about-toggle').click()")
    assert serious_violations(page) == []
    page.evaluate("almatyMap.story(true, 2)")
    assert serious_violations(page) == []


def test_axe_checks_can_fail(watched, tmp_path):
    """The check above is only worth something if axe reports what it should."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><body><img src="data:,"><button></button>'
        '<p style="color:#ccc;background:#fff">faint</p></body></html>'
    )
    watched.page.goto(bad.as_uri())
    found = " ".join(serious_violations(watched.page))
    assert "button-name" in found and "color-contrast" in found


# --- languages ---------------------------------------------------------------------------


def test_the_reader_page_in_russian_and_kazakh(served):
    page = served.page
    for lang, filters, timeline in (
        ("ru", "Фильтры", "Хронология событий"),
        ("kk", "Сүзгілер", "Оқиғалар хронологиясы"),
    ):
        page.goto(f"{served.base}/?lang={lang}")
        page.wait_for_function("window.almatyMap !== undefined")
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("#filters-fold > summary").inner_text().strip().endswith(filters)
        assert page.get_attribute(".am-timeline-steps", "aria-label") == timeline
        page.evaluate(f"almatyMap.open('{SHOOTING}')")
        card = page.inner_text(".am-pane .am-card")
        assert "Тәуелсіздік монументі" in card and "Монумент Независимости" in card
        assert page.locator('.am-card [lang="kk"]').count() == 1
