"""A PNG of a composed picture of the map, drawn by the system's headless Chromium.

The page photographed is the snapshot page (maprender/snapshot_page.py): a frame of title,
dates, legend, credits and, when asked, the event's card and the story's caption, around a
still map with no controls. The page tells when it is ready in ``window.almatyPrint``,
including whether the background tiles came (it gives up on them quickly when they do not).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from almaty_map.maprender.chromium import launch
from almaty_map.maprender.shot import Shot

READY_TIMEOUT_MS = 60_000


class SnapshotError(RuntimeError):
    """The picture could not be made; the message says why."""


@dataclass(frozen=True)
class Picture:
    """The PNG, the page as it was when photographed, and what the page reported."""

    png: bytes
    dom: str  # empty unless asked for
    tiles: dict = field(default_factory=dict)  # {"state": drawn|failed|off, "why", "loaded", "ms"}
    layout: dict = field(default_factory=dict)  # the text scale, card share and boxes
    drawn: dict = field(default_factory=dict)  # the canvas layer's {"symbols", "areas", "circles"}


def _local_only(route) -> None:
    if route.request.url.startswith(("file:", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def snapshot(page_html: bytes, shot: Shot, offline: bool = False, dom: bool = False) -> Picture:
    """Photograph ``page_html`` (a snapshot page) at ``shot``'s size; ``offline`` lets no
    request leave the machine; ``dom`` keeps the page as drawn, for inspection."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snapshot.html"
        path.write_bytes(page_html)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    return _photograph(browser, path.as_uri(), shot, offline, dom)
                finally:
                    browser.close()
        except PlaywrightError as exc:
            raise SnapshotError(f"Chromium could not draw the map: {exc.message}") from exc


def _photograph(browser, url: str, shot: Shot, offline: bool, dom: bool) -> Picture:
    page = browser.new_page(
        viewport={"width": shot.width, "height": shot.height}, device_scale_factor=shot.scale
    )
    if offline:
        page.route("**/*", _local_only)
    page.goto(url)
    page.wait_for_function(
        "window.almatyPrint && window.almatyPrint.done", timeout=READY_TIMEOUT_MS
    )
    report = page.evaluate("window.almatyPrint")
    if report.get("error") == "fit":
        raise SnapshotError(
            f"the text does not fit in {shot.width}x{shot.height} CSS px even at its smallest "
            "size: choose a taller picture (--height, or --size print-a5)"
        )
    if report.get("error"):
        raise SnapshotError(f"Chromium could not draw the map: {report['error']}")
    png = page.screenshot(type="png")
    return Picture(
        png,
        page.content() if dom else "",
        report.get("tiles") or {},
        report.get("layout") or {},
        report.get("drawn") or {},
    )
