"""The served reader's page in real Chromium: filters, list and map in step, permalinks."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli

pytestmark = [pytest.mark.browser, pytest.mark.server]


def visible_list_ids(page):
    return page.evaluate("""Array.from(document.querySelectorAll('#event-list li'))
        .filter((li) => !li.hidden).map((li) => li.dataset.eventId)""")


def open_reader(served, path="/"):
    page = served.page
    page.goto(served.base + path)
    page.wait_for_function("window.almatyMap !== undefined")
    return page


def test_date_filter_changes_list_and_markers_together(served):
    page = open_reader(served, "/#slice=5")  # the last period: everything up to it
    assert len(visible_list_ids(page)) == 19
    page.fill("#start", "2022-01-09")
    page.fill("#end", "2022-01-09")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?start=2022-01-09&end=2022-01-09**")
    page.wait_for_function("window.almatyMap !== undefined")
    shown = sorted(page.evaluate("almatyMap.shown()"))
    assert shown == sorted(visible_list_ids(page))
    assert "2022-01-09-emergency-hospital" in shown
    assert "2022-01-06-republic-square-shooting" not in shown
    # Every one is drawn but those known only to the city ("place not known").
    drawn = page.evaluate("AlmatyMapLib.current.layer.drawn.symbols")
    assert drawn == len(shown) - page.evaluate("AlmatyMapLib.current.unplacedShown().length")


def test_time_control_and_list_stay_in_step(served):
    page = open_reader(served)
    page.evaluate("almatyMap.setMode('slice'); almatyMap.setSlice(2)")
    assert sorted(visible_list_ids(page)) == sorted(page.evaluate("almatyMap.shown()"))
    count = page.inner_text("#shown-count")
    assert count.startswith(f"{len(visible_list_ids(page))} of 19")


def test_clicking_a_list_item_opens_its_card(served):
    page = open_reader(served, "/#slice=5")
    page.locator('#event-list button[data-event-id="2022-01-07-aykorkem-killed"]').click()
    page.wait_for_selector(".am-pane .am-card")
    assert "Four-year-old Aykorkem Meldekhan" in page.inner_text(".am-pane .am-card-title")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "am-card-title"
    current = page.locator('#event-list button[aria-current="true"]')
    assert current.get_attribute("data-event-id") == "2022-01-07-aykorkem-killed"


def test_a_permalink_restores_the_same_view(served):
    page = open_reader(served, "/?category=custody&slice=day")
    page.evaluate("almatyMap.setMode('slice')")
    page.evaluate("almatyMap.open('2022-01-09-emergency-hospital')")
    link = page.url
    assert "#slice=" in link and "event=2022-01-09-emergency-hospital" in link
    state = page.evaluate("almatyMap.state()")
    fresh = served.page.context.new_page()
    fresh.goto(link)
    fresh.wait_for_function("window.almatyMap !== undefined")
    again = fresh.evaluate("almatyMap.state()")
    assert (again["slice"], again["mode"], again["selected"]) == (
        state["slice"],
        state["mode"],
        state["selected"],
    )
    assert fresh.evaluate("almatyMap.shown()") == page.evaluate("almatyMap.shown()")
    assert fresh.is_checked('input[name="category"][value="custody"]')
    assert "emergency hospital" in fresh.inner_text(".am-card")
    fresh.close()


def test_downloading_the_export_gives_the_cli_bytes(served, tmp_path):
    page = open_reader(served, "/?start=2022-01-05&end=2022-01-07")
    with page.expect_download() as download:
        page.get_by_role("link", name="Standalone HTML map").click()
    assert download.value.suggested_filename == ("almaty-january-2022_2022-01-05_2022-01-07.html")
    out = tmp_path / "cli.html"
    CliRunner().invoke(
        cli, ["export", "--out", str(out), "--start", "2022-01-05", "--end", "2022-01-07"]
    )
    assert download.value.path().read_bytes() == out.read_bytes()


def test_a_newsroom_page_on_another_origin_embeds_and_drives_the_map(
    served, embed_host_port, tmp_path
):
    (tmp_path / "story.html").write_text(f"""<!doctype html><meta charset="utf-8">
<title>A newsroom story</title>
<iframe id="map" src="{served.base}/map?category=security" width="900" height="600"></iframe>
<script>
window.replies = [];
window.addEventListener("message", (e) => {{
  if (e.data && e.data.almatyMap === "result") window.replies.push(e.data);
}});
</script>""")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    host = ThreadingHTTPServer(("127.0.0.1", embed_host_port), handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{embed_host_port}"
    served.allowed_hosts.append(origin + "/")
    try:
        page = served.page
        page.goto(origin + "/story.html")
        page.frame_locator("#map").locator(".am-time").wait_for()
        page.evaluate("""document.getElementById("map").contentWindow.postMessage(
            {almatyMap: "events", id: 3}, "*")""")
        page.wait_for_function("window.replies.length > 0")
        reply = page.evaluate("window.replies[0]")
        assert reply["id"] == 3 and "2022-01-07-shoot-to-kill-order" in reply["value"]
        assert "2022-01-06-republic-square-shooting" not in reply["value"]  # not security
    finally:
        host.shutdown()
        host.server_close()
