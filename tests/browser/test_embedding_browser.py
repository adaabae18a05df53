"""Which pages may drive a framed map with postMessage: the map's own origin and the ones it
was made with, nobody else; and its news of changes goes only to an allowed parent."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.maprender.build import MapSpec, export_page
from harness.serving import free_port
from tests.browser.conftest import READY

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><meta charset="utf-8"><title>host</title>
<iframe id="map" src="{src}" width="900" height="600"></iframe>
<script>
window.replies = []; window.changes = [];
window.addEventListener("message", (e) => {{
  if (!e.data) return;
  if (e.data.almatyMap === "result") window.replies.push(e.data);
  if (e.data.almatyMap === "change") window.changes.push(e.data);
}});
window.ask = (call, args, id) => document.getElementById("map").contentWindow
  .postMessage({{almatyMap: call, args, id}}, "*");
</script>"""
QUIET_MS = 1500  # how long an ignored call is given to (wrongly) get an answer


class Site:
    """A folder served over HTTP on a loopback port: one origin."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def sites(tmp_path, watched):
    """Two origins: one publishes the maps, the other frames them."""
    made = []

    def site(name: str) -> Site:
        folder = tmp_path / name
        folder.mkdir()
        made.append(Site(folder))
        watched.allowed_hosts.append(made[-1].origin + "/")
        return made[-1]

    yield site
    for s in made:
        s.close()


def framed(watched, host_url: str):
    """The host page, once the map inside it is ready."""
    page = watched.page
    page.goto(host_url)
    frame = page.frame_locator("#map")
    frame.locator(".am-time").wait_for()
    inner = next(f for f in page.frames if f != page.main_frame)
    inner.evaluate(READY)
    return page


def publish(bundled, folder: Path, name: str, origins: tuple[str, ...] = ()) -> str:
    write_output(export_page(bundled, MapSpec(embed_origins=origins)), folder / name)
    return name


def test_a_configured_origin_drives_the_map_and_hears_of_changes(watched, sites, bundled):
    maps, news = sites("maps"), sites("news")
    name = publish(bundled, maps.folder, "allowed.html", (news.origin,))
    (news.folder / "story.html").write_text(HOST_PAGE.format(src=f"{maps.origin}/{name}"))
    page = framed(watched, f"{news.origin}/story.html")
    page.evaluate("ask('open', ['2022-01-06-csto-arrives'], 7)")
    page.wait_for_function("window.replies.length > 0")
    reply = page.evaluate("window.replies[0]")
    assert reply["id"] == 7 and "CSTO paratroopers arrive" in reply["value"]
    page.wait_for_function("window.changes.some((c) => c.state.selected)")
    assert page.evaluate("window.changes.at(-1).state.selected") == "2022-01-06-csto-arrives"


def test_another_origin_is_ignored_and_told_nothing(watched, sites, bundled):
    maps, news = sites("maps"), sites("news")
    name = publish(bundled, maps.folder, "private.html")  # no --embed-origin
    (news.folder / "story.html").write_text(HOST_PAGE.format(src=f"{maps.origin}/{name}"))
    page = framed(watched, f"{news.origin}/story.html")
    page.evaluate("ask('open', ['2022-01-06-csto-arrives'], 7); ask('setSlice', [3], 8)")
    page.wait_for_timeout(QUIET_MS)
    assert page.evaluate("[window.replies.length, window.changes.length]") == [0, 0]
    inner = next(f for f in page.frames if f != page.main_frame)
    assert inner.evaluate("almatyMap.state()")["selected"] is None  # nothing was obeyed
    assert inner.evaluate("almatyMap.state()")["slice"] == 0


def test_the_map_own_origin_may_drive_it(watched, sites, bundled):
    maps = sites("maps")
    name = publish(bundled, maps.folder, "map.html")
    (maps.folder / "page.html").write_text(HOST_PAGE.format(src=name))
    page = framed(watched, f"{maps.origin}/page.html")
    page.evaluate("ask('setSlice', [2], 1)")
    page.wait_for_function("window.replies.length > 0")
    assert "2022-01-06-republic-square-shooting" in page.evaluate("window.replies[0].value")


def test_a_map_opened_from_a_file_obeys_no_parent(watched, bundled, tmp_path):
    """Every file (and sandboxed frame) has the origin "null": none is trusted by default."""
    name = publish(bundled, tmp_path, "map.html")
    host = tmp_path / "host.html"
    host.write_text(HOST_PAGE.format(src=(tmp_path / name).as_uri()))
    page = framed(watched, host.as_uri())
    page.evaluate("ask('open', ['2022-01-06-csto-arrives'], 7)")
    page.wait_for_timeout(QUIET_MS)
    assert page.evaluate("[window.replies.length, window.changes.length]") == [0, 0]
