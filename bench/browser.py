"""Opening a map page in real Chromium, offline, and timing what a reader waits for.

- first paint: from navigation to the first frame painted after the page's scripts have
  added every point: two animation frames after the load event (so canvas renderers that
  draw on the next frame are counted), or for our map after its "almaty-map:drawn" mark,
  which comes before the load event (its second data block is read after drawing);
- slice switch: from asking for the next time slice to the next painted frame, median of 10
  (our map: ``almatyMap.setSlice``; plain Folium: swapping one day's layer for the next);
- JS heap: Chromium's used JavaScript heap once painted.

The network is cut in Chromium itself (every host name fails to resolve at once), so the
tile layers every page has cost the same and nothing waits on a request.
"""

from __future__ import annotations

import statistics
from pathlib import Path

PAINTED = """
window.__painted = null;
const __paint = () => requestAnimationFrame(() => requestAnimationFrame(() => {
  window.__painted = performance.now();
}));
// Our map draws as soon as its first data block is read, before the load event: time the
// first frame after that; other pages, the first frame after the load event.
const __ours = new PerformanceObserver((list) => {
  if (list.getEntries().some((e) => e.name === "almaty-map:drawn")) __paint();
});
__ours.observe({ type: "mark", buffered: true });
addEventListener("load", () => { if (!window.AlmatyMapLib) __paint(); });
"""
# Switching layers on a plain Folium map: keep one day's layer, then move to the next.
FOLIUM_SETUP = """() => {
  const names = Object.keys(window);
  const map = window[names.find((k) => k.startsWith("map_"))];
  window.__groups = names.filter((k) => /^(feature_group|geo_json)_/.test(k))
    .map((k) => window[k]).filter((layer) => layer && layer.getLayers);
  window.__groups.forEach((g, k) => { if (k > 0) map.removeLayer(g); });
  window.__map = map;
  return window.__groups.length;
}"""
FOLIUM_SWITCH = """(k) => new Promise((done) => {
  const groups = window.__groups, t0 = performance.now();
  window.__map.removeLayer(groups[(k - 1 + groups.length) % groups.length]);
  window.__map.addLayer(groups[k % groups.length]);
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
})"""
OURS_SWITCH = """(k) => new Promise((done) => {
  const n = almatyMap.slices().length, t0 = performance.now();
  almatyMap.setSlice(k % n);
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
})"""


# Waits in the page for the first paint. Not page.wait_for_function: its polling evaluates a
# string, which our export's Content-Security-Policy (no 'unsafe-eval') refuses.
WAIT_PAINTED = """() => new Promise((done) => {
  const check = () => (window.__painted !== null ? done(true) : requestAnimationFrame(check));
  check();
})"""
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND", "--enable-precise-memory-info"]


def measure(browser, path: Path, ours: bool, timeout_s: float = 240) -> dict:
    """First paint (s), median slice switch (ms, None without time slices), JS heap (MB)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    page.add_init_script(PAINTED)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.evaluate(WAIT_PAINTED)
        first_paint = page.evaluate("window.__painted") / 1000
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        heap = metrics.get("JSHeapUsedSize", 0) / 2**20
        switch = None
        if ours:
            page.evaluate("almatyMap.setMode('slice'); almatyMap.setSlice(0)")
            times = [page.evaluate(OURS_SWITCH, k) for k in range(1, 11)]
            switch = statistics.median(times)
        elif page.evaluate(FOLIUM_SETUP) > 1:
            times = [page.evaluate(FOLIUM_SWITCH, k) for k in range(1, 11)]
            switch = statistics.median(times)
        return {"first_paint": first_paint, "switch_ms": switch, "heap_mb": heap}
    finally:
        context.close()
