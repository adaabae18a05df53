"""Items latency and memory while heavy and hostile requests press on `almaty-map serve`.

The done-when measure of the hardening against load: a 100,000-event server keeps answering
items requests (mixed box, date and category filters, limit 100; two wrk connections) at
p95 under 200 ms with RSS under 1.5 GB, while six more connections send full downloads,
exports, maps and reader's pages with random titles (cache-busting), API pages of 10,000
features, all gzip-encoded as a browser asks, and while 200 idle connections and 20 that
trickle a request byte by byte stay open. Heavy requests may be turned away with 503 +
Retry-After (the bound working); any other error counts as a failure. The heavy clients
retry a second after a 503 (sooner than Retry-After asks); a second round sends them again
without pausing at all, a flood the README leaves to the reverse proxy's rate limit, and is
reported, not judged. Each view is rendered once before (a one-time cost); the phases
measure the steady state. Prints a table, writes bench/PRESSURE.md.

    python -m bench.pressure                          # 100,000 events, 30 s per phase
    python -m bench.pressure --events 20000 --seconds 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil

from bench.run import machine
from bench.server import query_mix
from harness.loadgen import Load, run_wrk
from harness.serving import running
from harness.slowclients import idle, trickling
from harness.synthetic import CATEGORIES, write_dataset

ROOT = Path(__file__).parents[1]
LOAD_BEFORE = " / ".join(f"{v:.1f}" for v in os.getloadavg())
WORK = ROOT / "bench" / "work"
P95_TARGET_MS = 200
RSS_TARGET_MB = 1500
ITEMS_CONNECTIONS = 2
HEAVY_CONNECTIONS = 6
IDLE = 200
TRICKLING = 20
GZIP = {"Accept-Encoding": "gzip, deflate"}
PRESSED = f"items + heavy (retrying 1 s after a 503) + {IDLE} idle + {TRICKLING} trickling"
FLOODED = f"items + heavy flood (no pause after a 503) + {IDLE} idle + {TRICKLING} trickling"
HEADER = (
    "| phase | items req/s | items p50 ms | items p95 ms | items p99 ms | heavy 200 | "
    "heavy 503 | errors | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


@dataclass
class Phase:
    name: str
    items: Load
    heavy: Load | None
    peak_mb: float

    def failures(self) -> list[str]:
        heavy = self.heavy.failures(busy_ok=True) if self.heavy else []
        return self.items.failures() + [f"heavy: {f}" for f in heavy]

    def row(self) -> str:
        heavy = self.heavy
        return (
            f"| {self.name} | {self.items.rps:,.0f} | {self.items.p50_ms:,.1f} | "
            f"{self.items.p95_ms:,.1f} | {self.items.p99_ms:,.1f} | "
            f"{heavy.s2xx if heavy else 0:,} | {heavy.s503 if heavy else 0:,} | "
            f"{len(self.failures())} | {self.peak_mb:,.0f} |"
        )


def heavy_mix(seed: int = 11, count: int = 240) -> list[tuple[str, bool]]:
    """Full and filtered downloads, exports, maps and reader's pages with random titles
    (every one new, as a cache-buster sends them), and API pages of 10,000 features."""
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        title = f"{rng.choice(['Report', 'Карта', 'Map', 'Тізім'])} {rng.getrandbits(48):x} {n}"
        kind = n % 8
        if kind in (0, 1):
            params = []
            if rng.random() < 0.5:
                params.append(("category", rng.choice(CATEGORIES)))
            paths.append(f"/download.{'geojson' if kind == 0 else 'csv'}?" + urlencode(params))
        elif kind in (2, 3):
            paths.append("/export?" + urlencode({"title": title}))
        elif kind == 4:
            paths.append("/map?" + urlencode({"title": title}))
        elif kind == 5:
            paths.append("/?" + urlencode({"title": title}))
        else:
            fmt = "csv" if kind == 6 else "json"
            paths.append(f"/ogc/collections/events/items?limit=10000&f={fmt}")
    return [(path, False) for path in paths]


class PeakRss(threading.Thread):
    """The server's resident memory, sampled four times a second; ``reset`` starts over."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            self.peak = max(self.peak, self.now())

    def now(self) -> float:
        return self.process.memory_info().rss / 2**20

    def reset(self) -> float:
        peak, self.peak = self.peak, self.now()
        return max(peak, self.peak)


def dataset(events: int) -> Path:
    folder = WORK / f"pressure-{events}"
    if not (folder / "events.geojson").exists():
        write_dataset(events, folder)
    return folder


def warm_renders(url: str) -> None:
    """Render each view of the heavy mix once (about 5 s each at 100,000 events): what is
    measured is the steady state, in which no title causes another render."""
    for path in ("/export", "/map", "/"):
        with urllib.request.urlopen(url + path, timeout=300) as response:
            response.read()


def pressed(url: str, address: tuple[str, int], seconds: float, backoff_ms: int) -> tuple:
    """Items latency while the heavy mix runs on its own connections, with the idle and
    trickling connections open; the two wrk results."""
    items = [(path, False) for path in query_mix()]
    with idle(address, IDLE), trickling(address, TRICKLING), ThreadPoolExecutor(1) as pool:
        heavy = pool.submit(
            run_wrk, url, heavy_mix(), seconds + 4, HEAVY_CONNECTIONS, 1, 60, GZIP, backoff_ms
        )
        time.sleep(2)
        load = run_wrk(url, items, seconds, ITEMS_CONNECTIONS, threads=1)
        return load, heavy.result()


def measure(folder: Path, seconds: float) -> tuple[list[Phase], float, float]:
    """The phases, the RSS after start-up and after the load."""
    items = [(path, False) for path in query_mix()]
    phases = []
    with running("--data", str(folder), timeout=300) as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        run_wrk(server.url, items, 3, ITEMS_CONNECTIONS, threads=1)  # warm up
        rss = PeakRss(server.pid)
        rss.start()
        started_mb = rss.now()
        load = run_wrk(server.url, items, seconds, ITEMS_CONNECTIONS, threads=1)
        phases.append(Phase("items alone", load, None, rss.reset()))
        warm_renders(server.url)
        for name, backoff in ((PRESSED, 1000), (FLOODED, 0)):
            load, heavy = pressed(server.url, address, seconds, backoff)
            phases.append(Phase(name, load, heavy, rss.reset()))
        time.sleep(5)
        load = run_wrk(server.url, items, seconds, ITEMS_CONNECTIONS, threads=1)
        phases.append(Phase("items alone, after", load, None, rss.reset()))
        ended_mb = rss.now()
        rss.stopped.set()
    return phases, started_mb, ended_mb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "PRESSURE.md")
    args = parser.parse_args()
    phases, started_mb, ended_mb = measure(dataset(args.events), args.seconds)
    verdicts = judge(phases)
    lines = [
        "# Pressure",
        "",
        f"`python -m bench.pressure --events {args.events} --seconds {args.seconds:g}` on "
        f"{dt.date.today().isoformat()}: `almaty-map serve` (waitress, default settings) "
        f"with {args.events:,} synthetic events. Items: wrk, {ITEMS_CONNECTIONS} "
        f"connections, {len(query_mix())} queries (box + dates + categories, limit 100). "
        f"Heavy: wrk, {HEAVY_CONNECTIONS} connections, gzip, downloads, exports, maps and "
        "reader's pages with a new title each time, API pages of 10,000 features.",
        f"Machine: {machine()}; load average before the run {LOAD_BEFORE}.",
        "",
        HEADER,
        *(phase.row() for phase in phases),
        "",
        f"RSS {started_mb:,.0f} MB after start-up and warm-up, {ended_mb:,.0f} MB at the end.",
        "",
        "| target | measured | goal | |",
        "|---|---:|---|---|",
        *(
            f"| {what} | {got} | {goal} | {'met' if ok else 'missed'} |"
            for what, got, goal, ok in verdicts
        ),
    ]
    failures = [f"{phase.name}: {f}" for phase in phases for f in phase.failures()]
    if failures:
        lines += ["", "## Failures", "", *(f"- {f}" for f in failures)]
    report = "\n".join(lines) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")
    return 0 if all(ok for *_, ok in verdicts) else 1


def judge(phases: list[Phase]) -> list[tuple[str, str, str, bool]]:
    """The targets: (what, measured, goal, met)."""
    items = phases[1].items
    p95 = items.p95_ms if items.requests else float("inf")
    peak = max(phase.peak_mb for phase in phases)
    errors = sum(len(phase.failures()) for phase in phases)
    return [
        ("items p95 under load", f"{p95:.0f} ms", f"< {P95_TARGET_MS} ms", p95 < P95_TARGET_MS),
        ("server peak RSS", f"{peak:,.0f} MB", f"< {RSS_TARGET_MB:,} MB", peak < RSS_TARGET_MB),
        ("errors (503 excepted)", str(errors), "0", errors == 0),
    ]


if __name__ == "__main__":
    sys.exit(main())
