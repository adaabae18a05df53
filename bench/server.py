"""The served API under load: `almaty-map serve` (waitress) on loopback.

- start-up: loading and validating the dataset, in a fresh process;
- items latency: p50 and p95 of a fixed mix of bbox, datetime, category and combined
  queries with limit=100, one client with keep-alive; and the median of one limit=10000 page;
- throughput: requests per second with 8 concurrent connections (wrk), over the same mix;
- memory: the server's RSS after all of that;
- CQL2: p50 and p95 of a mix of spatial + temporal filters (a distance in metres or a
  polygon, with a time interval), limit=100, one client with keep-alive.
"""

from __future__ import annotations

import http.client
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

from harness.loadgen import run_wrk
from harness.serving import running
from harness.synthetic import CATEGORIES, DAYS, EXTENT

ROOT = Path(__file__).parents[1]


def startup_seconds(folder: Path) -> float:
    code = (
        "import time, sys; from almaty_map.geodata.dataset import load_dataset; "
        "t = time.perf_counter(); load_dataset(sys.argv[1]); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def query_mix(count: int = 120, seed: int = 7) -> list[str]:
    """Paths of items queries with limit=100, in turn by a box alone, a date interval
    alone, categories alone, and all three combined."""
    rng = random.Random(seed)
    paths = []
    for k in range(count):
        width = rng.uniform(0.01, 0.08)
        x0 = rng.uniform(EXTENT[0], EXTENT[2] - width)
        y0 = rng.uniform(EXTENT[1], EXTENT[3] - width)
        day = rng.randrange(2, 2 + DAYS)
        span = rng.randrange(1, 4)
        box = [("bbox", f"{x0:.4f},{y0:.4f},{x0 + width:.4f},{y0 + width:.4f}")]
        when = [("datetime", f"2022-01-{day:02d}/2022-01-{min(day + span, 31):02d}")]
        kinds = [("category", c) for c in rng.sample(CATEGORIES, rng.randrange(1, 4))]
        params = (box, when, kinds, box + when + kinds)[k % 4]
        paths.append("/ogc/collections/events/items?" + urlencode([*params, ("limit", "100")]))
    return paths


def cql2_mix(count: int = 120, seed: int = 11) -> list[str]:
    """Paths of items queries with a CQL2 filter: S_DWITHIN (metres) or S_INTERSECTS with a
    polygon, AND T_INTERSECTS or T_DURING with an interval of days."""
    rng = random.Random(seed)
    paths = []
    for k in range(count):
        x = rng.uniform(EXTENT[0] + 0.05, EXTENT[2] - 0.05)
        y = rng.uniform(EXTENT[1] + 0.05, EXTENT[3] - 0.05)
        if k % 2:
            place = (
                f"S_DWITHIN(geometry, POINT({x:.5f} {y:.5f}), {rng.randrange(200, 3000)}, meters)"
            )
        else:
            d = rng.uniform(0.005, 0.04)
            ring = f"{x - d:.5f} {y - d:.5f}, {x + d:.5f} {y - d:.5f}, {x:.5f} {y + d:.5f}"
            place = f"S_INTERSECTS(geometry, POLYGON(({ring}, {x - d:.5f} {y - d:.5f})))"
        day = rng.randrange(2, 2 + DAYS)
        end = min(day + rng.randrange(1, 4), 31)
        relation = rng.choice(("T_INTERSECTS", "T_DURING"))
        when = f"{relation}(interval, INTERVAL('2022-01-{day:02d}', '2022-01-{end:02d}'))"
        params = [("filter", f"{place} AND {when}"), ("limit", "100")]
        paths.append("/ogc/collections/events/items?" + urlencode(params))
    return paths


def _latencies(connection: http.client.HTTPConnection, paths: list[str]) -> tuple[float, float]:
    """p50 and p95 in ms over the paths twice, after ten warm-up requests."""
    return p50_p95(timed_twice(connection, paths))


def timed_twice(connection: http.client.HTTPConnection, paths: list[str]) -> list[float]:
    """Each path's time in ms, the paths taken twice, after ten warm-up requests."""
    for path in paths[:10]:  # warm up (index building on first use)
        _timed_get(connection, path)
    return [_timed_get(connection, p) * 1000 for p in paths * 2]


def p50_p95(latencies: list[float]) -> tuple[float, float]:
    quantiles = statistics.quantiles(latencies, n=100)
    return quantiles[49], quantiles[94]


def measure_cql2(folder: Path) -> dict:
    """The CQL2 row alone: its own server, the filter mix."""
    with running("--threads", "8", "--data", str(folder), timeout=300) as server:
        port = int(server.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        p50, p95 = _latencies(connection, cql2_mix())
        connection.close()
    return {"cql2_p50_ms": p50, "cql2_p95_ms": p95}


def _timed_get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept": "application/geo+json"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
    return elapsed


def measure(folder: Path, wrk_seconds: int = 10) -> dict:
    results = {"startup_s": startup_seconds(folder)}
    with running("--threads", "8", "--data", str(folder), timeout=120) as server:
        paths = query_mix()
        port = int(server.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        results["p50_ms"], results["p95_ms"] = _latencies(connection, paths)
        results["cql2_p50_ms"], results["cql2_p95_ms"] = _latencies(connection, cql2_mix())
        big = "/ogc/collections/events/items?limit=10000"
        results["big_page_ms"] = statistics.median(
            _timed_get(connection, big) * 1000 for _ in range(5)
        )
        connection.close()
        results["rps"] = None
        if shutil.which("wrk"):
            load = run_wrk(server.url, [(p, False) for p in paths], wrk_seconds, connections=8)
            if load.failures():
                raise RuntimeError("wrk: " + "; ".join(load.failures()))
            results["rps"] = load.rps
        results["rss_mb"] = psutil.Process(server.pid).memory_info().rss / 2**20
    return results
