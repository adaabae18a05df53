"""Make the pictures in docs/screenshots/ in headless Chromium, from the bundled data.

Run: .venv/bin/python scripts/screenshots.py  (writes docs/screenshots/*.png)

A gallery of the layout: the reader's page, /map and the export on a phone (390x844), a
tablet (768x1024), a laptop (1366x800) and a large screen (1920x1080), each with an event's
card open and at a story step; the README shows the reader's page on the laptop (a card)
and the phone (a story step). The site is served by waitress on a free local port, and the
social-post picture is made the way `almaty-map snapshot --story --at 3 --event
2022-01-06-republic-square-shooting --offline` makes it. The network is cut, as
for the tests: the background tiles are missing, so the pictures show exactly what the map
draws by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from waitress.server import create_server

from almaty_map.app import create_app
from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import MapSpec, export_page
from almaty_map.maprender.chromium import launch
from almaty_map.maprender.shot import SIZES
from almaty_map.maprender.snapshot import snapshot
from almaty_map.maprender.snapshot_page import snapshot_page
from almaty_map.maprender.snapshot_view import View, plan_view

ROOT = Path(__file__).resolve().parents[1]
SCREENS = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1366, 800), "large": (1920, 1080)}
EVENT = "2022-01-06-republic-square-shooting"
STORY_STEP = 2  # 0-based: "6 January: troops arrive, shootings on the square"
# Resolves once the map is ready (the export's CSP refuses Playwright's string polling).
READY = """() => window.almatyMap !== undefined || new Promise((done) =>
    document.addEventListener("almatymap:ready", () => done(true), { once: true }))"""
# The README's two pictures: (file name, page, screen, view).
README = {
    "reader-desktop.png": ("reader", "laptop", "event"),
    "reader-phone.png": ("reader", "phone", "story"),
}


@contextlib.contextmanager
def serving():
    """The app on a free loopback port, in a thread; yields its base URL."""
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()


def photograph(browser, url: str, local: tuple[str, ...], screen: str, out: Path) -> None:
    """The page at ``url`` on ``screen``, with the event open (VIEW in ``out``'s name
    becomes "event") and at the story step ("story")."""
    width, height = SCREENS[screen]
    phone = screen == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(local) else route.abort(),
    )
    page.goto(url)
    page.evaluate(READY)
    for view, script in (
        ("event", f"almatyMap.open('{EVENT}')"),
        ("story", f"almatyMap.story(true, {STORY_STEP})"),
    ):
        page.evaluate(script)
        page.wait_for_timeout(300)
        page.screenshot(path=out.with_name(out.name.replace("VIEW", view)))
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    gallery = args.out / "gallery"
    gallery.mkdir(parents=True, exist_ok=True)
    dataset = load_dataset()
    export = gallery / "export.html"
    write_output(export_page(dataset), export)
    with serving() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        local = (url, "file:", "data:", "blob:")
        pages = {"reader": url + "/", "map": url + "/map", "export": export.as_uri()}
        for screen in SCREENS:
            for name, address in pages.items():
                out = gallery / f"{name}-{screen}-VIEW.png"
                photograph(browser, address, local, screen, out)
                print(f"wrote {gallery}/{name}-{screen}-{{event,story}}.png")
        browser.close()
    export.unlink()
    for picture, (name, screen, view) in README.items():
        (args.out / picture).write_bytes((gallery / f"{name}-{screen}-{view}.png").read_bytes())
        print(f"wrote {args.out / picture}")
    view = View(at=3, story=True, event="2022-01-06-republic-square-shooting")
    page = snapshot_page(dataset, plan_view(dataset, MapSpec(), view), tiles=None)
    picture = snapshot(page, SIZES["social"], offline=True)
    (args.out / "snapshot.png").write_bytes(picture.png)
    print(f"wrote {args.out / 'snapshot.png'}")


if __name__ == "__main__":
    main()
