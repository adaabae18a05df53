"""How long a map with hundreds or thousands of day slices takes to become usable.

A map sliced by day over years has one slice per day, up to the 2,000 the slicer allows; in
the default cumulative mode it opens with every slice shown. This builds such maps from
synthetic data (2,000 events, their starts spread so that ``--slice day`` makes exactly the
asked number of slices), opens each export in Chromium offline and reports the time from
navigation to the map's "almaty-map:ready" mark (window.almatyMap published).

    python -m bench.slices                 # 200, 500 and 2,000 day slices
    python -m bench.slices 500 --timeout 600
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.timeslices import make_slices
from almaty_map.maprender.build import MapSpec, export_page
from almaty_map.maprender.chromium import launch
from bench.browser import OFFLINE_ARGS
from harness.synthetic import write_dataset

WORK = Path(__file__).parents[1] / "bench" / "work" / "slices"
EVENTS = 2000
# Waits in the page for the map's ready mark. Not page.wait_for_function: its polling
# evaluates a string, which the export's Content-Security-Policy (no 'unsafe-eval') refuses.
READY = """(limit) => new Promise((done) => {
  const seen = () => performance.getEntriesByName("almaty-map:ready").length > 0;
  if (seen()) return done(true);
  document.addEventListener("almatymap:ready", () => done(true), { once: true });
  setTimeout(() => done(seen()), limit);
})"""


def day_sliced_export(slices: int, folder: Path) -> Path:
    """An export with exactly ``slices`` day slices (the event ends add a day or three)."""
    days = slices
    for _ in range(8):
        dataset = load_dataset(write_dataset(EVENTS, folder / f"days{days}", days=days))
        count = len(make_slices(dataset.meta, dataset.start_ns, dataset.end_ns, "day"))
        if count == slices:
            out = folder / f"day-slices-{slices}.html"
            write_output(export_page(dataset, MapSpec(slice_by="day")), out)
            return out
        days += slices - count
    raise RuntimeError(f"could not make a dataset with {slices} day slices")


def ready_seconds(browser, path: Path, timeout_s: float) -> float | None:
    """Seconds from navigation to the ready mark, or None past ``timeout_s``."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    page.set_default_timeout((timeout_s + 30) * 1000)
    try:
        page.goto(path.as_uri(), wait_until="commit")
        if not page.evaluate(READY, timeout_s * 1000):
            return None
        return page.evaluate("performance.getEntriesByName('almaty-map:ready')[0].startTime") / 1000
    except PlaywrightTimeout:
        return None
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slices", type=int, nargs="*", default=[200, 500, 2000])
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait per map")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright, args=OFFLINE_ARGS)
        for count in args.slices:
            path = day_sliced_export(count, WORK)
            seconds = ready_seconds(browser, path, args.timeout)
            shown = f"{seconds:.2f} s" if seconds is not None else f"> {args.timeout:.0f} s"
            print(f"{count:>5} day slices: ready in {shown}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
