"""A PNG of a map, for print and social posts, drawn by the system's headless Chromium.

The picture is of the standalone export itself, so it shows exactly what a reader of the
published map sees. Background tiles are fetched when the network allows, for up to
``tiles_wait_s`` seconds; offline (or with ``offline=True``) the events are drawn on the
map's plain background.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from almaty_map.maprender.chromium import launch

READY_TIMEOUT_MS = 60_000
TILES_PENDING = "() => !document.querySelector('img.leaflet-tile:not(.leaflet-tile-loaded)')"


class SnapshotError(RuntimeError):
    """The picture could not be made; the message says why."""


@dataclass(frozen=True)
class Shot:
    """What to photograph: the viewport in CSS pixels, its pixel density, and the view."""

    width: int = 1200
    height: int = 630
    scale: float = 2.0
    slice: int | None = None  # 0-based time slice; None for the map's default (the last)
    story: bool = False  # show the slice as a story step, with its caption
    event: str | None = None  # an event id whose popup is open
    offline: bool = False
    tiles_wait_s: float = 10.0

    def fragment(self) -> str:
        """The URL hash that puts the map in this view."""
        pairs = []
        if self.slice is not None:
            pairs.append(("slice", str(self.slice)))
        if self.story:
            pairs.append(("story", "1"))
        return "#" + urlencode(pairs) if pairs else ""


def _offline(route) -> None:
    if route.request.url.startswith(("file:", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def snapshot(page_html: bytes, shot: Shot) -> bytes:
    """The PNG bytes of ``page_html`` (a standalone export) in the view ``shot`` asks for."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        path.write_bytes(page_html)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    return _photograph(browser, path.as_uri() + shot.fragment(), shot)
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise SnapshotError(f"Chromium could not draw the map: {exc.message}") from exc


def _photograph(browser, url: str, shot: Shot) -> bytes:
    page = browser.new_page(
        viewport={"width": shot.width, "height": shot.height}, device_scale_factor=shot.scale
    )
    if shot.offline:
        page.route("**/*", _offline)
    page.goto(url)
    page.wait_for_function("window.almatyMap !== undefined", timeout=READY_TIMEOUT_MS)
    if shot.event is not None:
        opened = page.evaluate("id => almatyMap.open(id, {focus: false})", shot.event)
        if opened is None:
            raise SnapshotError(f"no event with id {shot.event!r} in this map")
    if not shot.offline:
        # Slow or no network: the picture is taken with the tiles that arrived.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(TILES_PENDING, timeout=shot.tiles_wait_s * 1000)
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    return page.screenshot(type="png")
