"""A dataset whose every text field is an attack, served and exported, in real Chromium:
nothing runs, nothing is injected, and the text is shown as it was written."""

from __future__ import annotations

import json

import pytest

from harness.serving import serve
from tests.conftest import DATA

pytestmark = [pytest.mark.browser, pytest.mark.server]

HOSTILE = DATA / "hostile"
PAYLOADS = json.loads((HOSTILE / "PAYLOADS.json").read_text())
EVENT_IDS = ["plain-id", 'x"><img src=x onerror=alert("id")>']
# Markup the payloads would create if they were ever parsed: event-handler attributes, the
# <img src=x>, an <svg> that is not one of the page's own symbols, a <style> in the body.
INJECTED = """() => Array.from(document.querySelectorAll("*")).filter((node) =>
    node.matches('img[src="x"], body style')
    || node.matches("svg") && !node.matches(".symbol")
      && !node.closest(".leaflet-control-attribution")
    || Array.from(node.attributes).some((a) => a.name.startsWith("on"))
  ).map((node) => node.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def hostile_server():
    with serve("--data", str(HOSTILE)) as url:
        yield url


@pytest.fixture
def page(watched, hostile_server):
    watched.allowed_hosts.append(hostile_server + "/")
    watched.page.base = hostile_server
    return watched.page


def assert_clean(page):
    assert page.evaluate(INJECTED) == []
    assert page.evaluate("window.__attacked === undefined")


def test_reader_page_shows_every_payload_as_text(page):
    page.goto(page.base + "/#slice=1")  # the last period: both events listed
    page.wait_for_function("window.almatyMap !== undefined")
    assert page.title() == f"{PAYLOADS['img']} · {PAYLOADS['script']}"
    assert PAYLOADS["svg"] in page.inner_text(".summary")
    for event_id in EVENT_IDS:
        page.locator("#event-list button").filter(has=page.locator(".title")).nth(
            EVENT_IDS.index(event_id)
        ).click()
        page.wait_for_selector(".am-pane .am-card")
        text = page.inner_text(".am-pane .am-card")
        assert PAYLOADS["img"] in text or PAYLOADS["attr"] in text
    page.click(".am-key-toggle")
    legend = page.inner_text(".am-legend")
    assert PAYLOADS["attr"] in legend and PAYLOADS["svg"] in legend
    assert_clean(page)


def test_map_alone_with_its_panels_open(page):
    page.goto(page.base + "/map#slice=1")  # the last period: both events listed
    page.wait_for_function("window.almatyMap !== undefined")
    page.get_by_role("button", name="About this map, sources and downloads").click()
    about = page.inner_text(".am-about")
    assert PAYLOADS["js"] in about and PAYLOADS["csv"] in about
    page.click(".am-list-toggle")
    page.wait_for_selector(".am-list-box li")
    assert PAYLOADS["attr"] in page.inner_text(".am-list-box")
    for event_id in EVENT_IDS:
        text = page.evaluate("(id) => almatyMap.open(id)", event_id)
        assert PAYLOADS["tmpl"] in text
    status = page.inner_text(".am-status")
    assert PAYLOADS["svg"] in status or PAYLOADS["img"] in status
    assert_clean(page)


@pytest.mark.parametrize(
    "path",
    [
        "/ogc?f=html",
        "/ogc/collections/events/items?f=html",
        "/ogc/collections/events/items/plain-id?f=html",
        "/ogc/collections/places/items?f=html",
    ],
)
def test_api_html_views(page, path):
    page.goto(page.base + path)
    assert_clean(page)
    body = page.inner_text("body")
    assert any(
        payload in body for payload in (PAYLOADS["img"], PAYLOADS["script"], PAYLOADS["attr"])
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ('/nope/<img src=x onerror=alert("404")>', 404),
        ("/?start=<script>alert('q')</script>&bbox=\"><svg onload=alert(1)>", 400),
        ("/ogc/collections/events/items?f=html&limit=<img src=x onerror=alert(1)>", 400),
        ("/map?slice=<script>alert(1)</script>", 400),
    ],
)
def test_error_pages_do_not_reflect_markup(watched, page, path, status):
    response = page.goto(page.base + path)
    assert response.status == status
    assert_clean(page)
    # Chromium reports the page's own status as a console error; that one is expected.
    expected = f"the server responded with a status of {status}"
    watched.errors[:] = [e for e in watched.errors if expected not in e]


def test_the_export_of_a_hostile_dataset(page, tmp_path):
    page.goto(page.base + "/")
    page.wait_for_function("window.almatyMap !== undefined")
    with page.expect_download() as download:
        page.get_by_role("link", name="Standalone HTML map").click()
    path = tmp_path / "hostile.html"
    download.value.save_as(path)
    page.goto(path.as_uri())
    page.wait_for_function("window.almatyMap !== undefined")
    for event_id in EVENT_IDS:
        assert PAYLOADS["tmpl"] in page.evaluate("(id) => almatyMap.open(id)", event_id)
    assert_clean(page)


def test_links_are_never_javascript(page):
    page.goto(page.base + "/map")
    page.wait_for_function("window.almatyMap !== undefined")
    result = page.evaluate("""() => {
        const a = AlmatyMapLib.el("a", {href: "javascript:alert(1)", text: "x"});
        return [AlmatyMapLib.safeUrl("javascript:alert(1)"), a.hasAttribute("href"),
                AlmatyMapLib.safeUrl("https://example.org/")];
    }""")
    assert result == [None, False, "https://example.org/"]
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]'), (a) => a.href)")
    assert not any(href.lower().startswith("javascript:") for href in hrefs)
