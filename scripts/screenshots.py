"""Make the README's screenshots in headless Chromium, from the bundled data.

Run: .venv/bin/python scripts/screenshots.py  (writes docs/screenshots/*.png)

The network is cut, as for the tests: the background tiles are replaced by a plain colour, so
the pictures show exactly what the export draws by itself.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from geodata import load_dataset
from maprender import export_page, write_export
from maprender.chromium import launch

ROOT = Path(__file__).resolve().parents[1]
SHOTS = {
    # name: (viewport, URL hash, JavaScript to run before the picture)
    "map-desktop.png": (
        (1280, 800),
        "#slice=2&mode=cumulative",
        "AlmatyMapLib.current.map.setView([43.2422, 76.9442], 15, {animate: false});"
        "almatyMap.open('2022-01-06-republic-square-shooting')",
    ),
}


def offline(route) -> None:
    if route.request.url.startswith(("file:", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "almaty.html"
        write_export(export_page(load_dataset()), export)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, ((width, height), hash_, script) in SHOTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", offline)
                page.goto(export.as_uri() + hash_)
                page.wait_for_function("window.almatyMap !== undefined")
                page.evaluate(script)
                page.wait_for_timeout(400)
                page.screenshot(path=args.out / name)
                print(f"wrote {args.out / name}")
            browser.close()


if __name__ == "__main__":
    main()
