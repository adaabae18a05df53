"""Make the README's pictures in headless Chromium, from the bundled data.

Run: .venv/bin/python scripts/screenshots.py  (writes docs/screenshots/*.png)

The reader's page is served by waitress on a free local port and photographed on
a desktop and on a phone; the social-post picture is made the way `almaty-map snapshot
--story --at 3 --event 2022-01-06-republic-square-shooting --offline` makes it. The network
is cut, as for the tests: the background tiles are missing, so the pictures show exactly
what the map draws by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from waitress.server import create_server

from almaty_map.app import create_app
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import MapSpec
from almaty_map.maprender.chromium import launch
from almaty_map.maprender.shot import SIZES
from almaty_map.maprender.snapshot import snapshot
from almaty_map.maprender.snapshot_page import snapshot_page
from almaty_map.maprender.snapshot_view import View, plan_view

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    # name: (viewport, phone?, path and hash, JavaScript to run before the picture)
    "reader-desktop.png": (
        (1280, 800),
        False,
        "/#slice=2&mode=cumulative",
        "document.querySelector('.am-legend').open = false;"
        "AlmatyMapLib.current.map.setView([43.2432, 76.9345], 15, {animate: false});"
        "almatyMap.open('2022-01-06-republic-square-shooting', {pan: false})",
    ),
    "reader-phone.png": ((390, 844), True, "/#story=1&slice=3", ""),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with serving() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        for name, ((width, height), phone, path, script) in PAGES.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                is_mobile=phone,
                has_touch=phone,
                device_scale_factor=2 if phone else 1,
            )
            page = context.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((url, "data:", "blob:"))
                    else route.abort()
                ),
            )
            page.goto(url + path)
            page.wait_for_function("window.almatyMap !== undefined")
            if script:
                page.evaluate(script)
            page.wait_for_timeout(500)
            page.screenshot(path=args.out / name)
            context.close()
            print(f"wrote {args.out / name}")
        browser.close()
    dataset = load_dataset()
    view = View(at=3, story=True, event="2022-01-06-republic-square-shooting")
    page = snapshot_page(dataset, plan_view(dataset, MapSpec(), view), tiles=None)
    picture = snapshot(page, SIZES["social"], offline=True)
    (args.out / "snapshot.png").write_bytes(picture.png)
    print(f"wrote {args.out / 'snapshot.png'}")


if __name__ == "__main__":
    main()
