"""The reader's page drawn from vector tiles, timed in real Chromium against PostGIS.

For each size: a throwaway cluster, the synthetic dataset loaded as a version of 5,000
events and served (``serve --db``, the embed limit at 100 so the page is tiled), then the
events table grown to the size in SQL (copies of those events moved up to ~500 m and up to
a few hours, their ids suffixed), so the tiles, the span and the per-slice counts the page
asks for read that many rows. What is timed:

- page: the reader's page's HTML (the span and one GROUP BY of per-slice counts);
- first paint: navigation to the first frame painted after the tiles in view are drawn, for
  the first reader (the database builds every tile) and for the next (the server has them);
- slice switch: from choosing a day slice to the frame after it is drawn, median of 6
  (right after first paint: the next slices' tiles are still being fetched), then again
  once the view's tiles for every slice are in (the usual case: the reader looks first);
- the view's tiles: how many, their bytes, and the features drawn.

Or, with ``--db URL``, against a database already loaded (the shared million-event one):
nothing is loaded or grown, and the size given is only the row's label.

Usage: python -m bench.tiles 100000 1000000 [--out bench/TILES.md]
       python -m bench.tiles 1000000 --db postgresql+psycopg://postgres@127.0.0.1:55432/m1
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from pathlib import Path

import psycopg
from playwright.sync_api import sync_playwright

from almaty_map.maprender.chromium import launch
from harness.postgres import cluster
from harness.serving import running
from harness.synthetic import write_dataset
from tests.conftest import loaded_database, new_database

BASE_EVENTS = 5000
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
PAINTED = """
window.__painted = null;
new PerformanceObserver((list) => {
  if (list.getEntries().some((e) => e.name === "almaty-map:tiles-drawn")) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__painted = performance.now();
    }));
  }
}).observe({ type: "mark", buffered: true });
"""
# The paint's time, or the page's failure (a tile that did not come) as text.
WAIT_PAINTED = """() => new Promise((done) => {
  const check = () => {
    if (window.__painted !== null) return done(window.__painted);
    const failed = window.almatyTiledMap && almatyTiledMap.state().failed;
    return failed ? done(failed) : setTimeout(check, 20);
  };
  check();
})"""
SWITCH = """(k) => new Promise((done) => {
  const t0 = performance.now();
  almatyTiledMap.show(k).then(() => requestAnimationFrame(() => requestAnimationFrame(
    () => done(performance.now() - t0))));
})"""
GROW = """
INSERT INTO events
SELECT e.position + k * {base}, e.id || '~' || k, e.title, e.description, e.category,
       e.start + make_interval(mins => (k * 37) % 240),
       e."end" + make_interval(mins => (k * 37) % 240),
       e.time_precision, e.time_source, e.place, e.place_id, e.geo_precision,
       e.location_source, e.fatalities, e.fatalities_source, e.actors, e.sources, e.sensitive,
       e.translations, e.extra, e.geometry,
       ST_Translate(e.geom, ((k * 7919 + e.position * 31) % 1000 - 500) * 0.00001,
                            ((k * 104729 + e.position * 17) % 1000 - 500) * 0.00001)
FROM events e CROSS JOIN generate_series(1, {copies}) AS k;
ANALYZE events;
"""


def grow(url: str, size: int) -> float:
    from almaty_map.database.connect import open_engine
    from almaty_map.database.tilecells import rebuild

    began = time.monotonic()
    copies = size // BASE_EVENTS - 1
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute(GROW.format(base=BASE_EVENTS, copies=copies))
    engine = open_engine(url)
    with engine.begin() as connection:
        rebuild(connection)  # as a load of that many events would
    engine.dispose()
    return time.monotonic() - began


def first_paint(browser, base: str):
    """A new reader's page, painted: (seconds, the page, its context)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.add_init_script(PAINTED)
    page.goto(base + "/?slice=day", wait_until="commit")
    painted = page.evaluate(WAIT_PAINTED)
    if isinstance(painted, str):
        context.close()
        raise NotPaintedError(painted)
    return painted / 1000, page, context


class NotPaintedError(Exception):
    """The page gave up: a tile in view did not come."""


def measure_page(browser, base: str) -> dict:
    try:
        painted, page, context = first_paint(browser, base)
    except NotPaintedError as exc:
        return {"failed": str(exc)}
    try:
        state = page.evaluate("almatyTiledMap.state()")
        tiles = page.evaluate(
            "performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/'))"
            ".map((e) => e.encodedBodySize)"
        )
        cold = [page.evaluate(SWITCH, k) for k in range(1, 7)]
        page.evaluate("almatyTiledMap.show(0)")
        page.wait_for_timeout(100)
        _wait_prefetched(page)
        warm = [page.evaluate(SWITCH, k) for k in range(1, 7)]
        second, _, other = first_paint(browser, base)  # the server has the tiles now
        other.close()
        return {
            "first_paint": painted,
            "second_paint": second,
            "cold_ms": statistics.median(cold),
            "cold_each": cold,
            "warm_ms": statistics.median(warm),
            "tiles": state["last"]["tiles"],
            "tile_kb": sum(tiles[: state["last"]["tiles"]]) / 1024,
            "features": state["features"],
            "events": state["events"],
        }
    finally:
        context.close()


def _wait_prefetched(page, timeout_s: float = 120) -> None:
    """Until no tile request has been made for a second (every slice's tiles are in)."""
    count = -1
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = page.evaluate(
            "performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/'))"
            ".length"
        )
        if now == count:
            return
        count = now
        page.wait_for_timeout(1000)


def run_size(browser, size: int, work: Path) -> dict:
    with cluster() as postgres:
        _, url = new_database(postgres)
        loaded_database(url, write_dataset(BASE_EVENTS, work / f"dataset-{size}"))
        env = {"ALMATY_MAP_MAX_PAGE_EVENTS": "100"}
        with running("--db", url, env=env, timeout=120) as server:
            grown = grow(url, size)
            began = time.monotonic()
            with urllib.request.urlopen(server.url + "/?slice=day", timeout=120) as response:
                response.read()
            page_s = time.monotonic() - began
            result = measure_page(browser, server.url)
    return {"size": size, "grow_s": grown, "page_s": page_s, **result}


def run_loaded(browser, size: int, url: str) -> dict:
    """The same timings against a database loaded beforehand (never written to)."""
    env = {"ALMATY_MAP_MAX_PAGE_EVENTS": "100"}
    with running("--db", url, env=env, timeout=120) as server:
        began = time.monotonic()
        with urllib.request.urlopen(server.url + "/?slice=day", timeout=120) as response:
            response.read()
        page_s = time.monotonic() - began
        result = measure_page(browser, server.url)
    return {"size": size, "grow_s": 0.0, "page_s": page_s, **result}


def table(rows: list[dict]) -> str:
    lines = [
        "| events | page HTML | first paint | next reader's | slice switch, fetching "
        "| slice switch, fetched "
        "| tiles in view | their size | features drawn |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "failed" in r:
            lines.append(f"| {r['size']:,} | {r['page_s']:.2f} s | not painted: {r['failed']} |")
            continue
        lines.append(
            f"| {r['size']:,} | {r['page_s']:.2f} s | {r['first_paint']:.2f} s "
            f"| {r['second_paint']:.2f} s "
            f"| {r['cold_ms']:.0f} ms | {r['warm_ms']:.0f} ms | {r['tiles']} "
            f"| {r['tile_kb']:.0f} KB | {r['features']:,} (of {r['events']:,} events) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--db", help="a database loaded already: serve it as it is")
    args = parser.parse_args()
    work = Path("bench/work/tiles")
    work.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright, OFFLINE)
        if args.db:
            rows = [run_loaded(browser, size, args.db) for size in args.sizes]
        else:
            rows = [run_size(browser, size, work) for size in args.sizes]
        browser.close()
    text = table(rows)
    print(text)
    for row in rows:  # the median hides a slow switch among fast ones
        if "cold_each" in row:
            each = ", ".join(f"{ms:.0f}" for ms in row["cold_each"])
            print(f"{row['size']:,}: each switch while fetching, ms: {each}")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
