"""Real Chromium (the system's, through Playwright) with the network cut.

Every page fails its test on a console error or an uncaught exception. Requests leave the
machine nowhere: map tiles get a blank local tile, anything else external is refused and
recorded, so a test can assert the page asked for nothing.
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import sync_playwright

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.timeslices import make_slices, membership
from almaty_map.maprender.build import export_page
from almaty_map.maprender.chromium import launch

BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TILE_URL = re.compile(r"^https://([a-z]\.)?(tile\.openstreetmap\.org|basemaps\.cartocdn\.com)/")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Watched:
    """A page plus what it logged and requested."""

    def __init__(self, page, allowed_hosts):
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []
        self.tiles: list[str] = []
        self.dialogs: list[str] = []
        self.allowed_hosts = allowed_hosts
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"{message.type}: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")) or any(
            url.startswith(host) for host in self.allowed_hosts
        ):
            route.continue_()
        elif TILE_URL.match(url):
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            self.external.append(url)
            route.abort()


@pytest.fixture
def watched(browser):
    """A fresh page (1280x800) whose errors and external requests fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    watch = Watched(page, [])
    yield watch
    context.close()
    assert watch.errors == [], watch.errors
    assert watch.external == [], watch.external
    assert watch.dialogs == [], watch.dialogs


@pytest.fixture
def served(watched, live_server):
    """A watched page allowed to talk to the live server (and nothing else)."""
    watched.allowed_hosts.append(live_server + "/")
    watched.base = live_server
    return watched


@pytest.fixture(scope="session")
def bundled_export(tmp_path_factory, bundled):
    """The bundled dataset's standalone export, on disk."""
    path = tmp_path_factory.mktemp("export") / "almaty.html"
    write_output(export_page(bundled), path)
    return path


# Resolves once the map is ready. Not page.wait_for_function, whose polling evaluates a
# string: the export's Content-Security-Policy (no 'unsafe-eval') refuses that.
READY = """() => window.almatyMap !== undefined || new Promise((done) =>
    document.addEventListener("almatymap:ready", () => done(true), { once: true }))"""


def open_map(watched, path, hash_=""):
    page = watched.page
    page.goto(path.as_uri() + hash_)
    page.evaluate(READY)
    return page


def expected_slices(dataset):
    """Per period, the sorted ids of the events that overlap it."""
    slices = make_slices(dataset.meta, dataset.start_ns, dataset.end_ns, "period")
    first, last = membership(slices, dataset.start_ns, dataset.end_ns)
    ids = list(dataset.events["id"])
    return [
        sorted(ids[i] for i in range(len(ids)) if first[i] <= k <= last[i] and first[i] >= 0)
        for k in range(len(slices))
    ]
