"""The million-event rows: `db load` and `serve --db` on a throwaway PostgreSQL cluster.

- load: `almaty-map db load` of the synthetic events into an empty database (the first
  version), then again over it (a new version: compared with the previous one, its diff
  recorded), each a fresh process; wall time and the process's CPU time (the machine is
  shared, and the CPU time says what the load itself cost);
- start: `serve --db` from its launch until `/` answers;
- items p95, limit=100, one client with keep-alive, for each kind of filter of the server
  row (bbox, datetime, category, combined) and the CQL2 mix, against the database;
- RSS: the server's resident memory after all of that.

Every figure is shown with its target; pygeoapi's figures are the issue's, measured on the
same kind of table (1M points, PostGIS, GiST and btree indexes), for scale.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from bench.server import _latencies, cql2_mix, query_mix
from harness.postgres import cluster
from harness.serving import START, free_port
from harness.synthetic import write_dataset

ROOT = Path(__file__).parents[1]
MAX_MB = "4096"  # the synthetic million is 1.1 GB of GeoJSON
LOAD_TARGET_S = 120
START_TARGET_S = 2
RSS_TARGET_MB = 300
P95_TARGET_MS = 50
# The pygeoapi figures (p95), for scale; None where it gave none.
PYGEOAPI = {
    "bbox": "1.7 s",
    "datetime": "≈ 0.1 s",
    "category": "≈ 0.1 s",
    "combined": "2.6 s (bbox + datetime)",
    "CQL2": None,
}
KINDS = ("bbox", "datetime", "category", "combined")


def _almaty_map(*args: str) -> tuple[float, float, str]:
    """Run `almaty-map ARGS` in a fresh process: wall seconds, CPU seconds (its own and
    its children's), and its output."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", START, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        raise RuntimeError(f"almaty-map {' '.join(args)} failed:\n{output[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, output


def measure_load(folder: Path, url: str) -> dict:
    """A first load into an empty database, then the same folder again as a new version."""
    _almaty_map("db", "init", "--db", url)
    first = _almaty_map("db", "load", str(folder), "--db", url, "--quiet", "--max-size", MAX_MB)
    again = _almaty_map("db", "load", str(folder), "--db", url, "--quiet", "--max-size", MAX_MB)
    return {
        "first_s": first[0],
        "first_cpu_s": first[1],
        "again_s": again[0],
        "again_cpu_s": again[1],
        "again_summary": again[2].strip().splitlines()[-1].split(": ", 1)[1].rstrip("."),
    }


def measure_server(url: str, start_timeout: float = 1800) -> dict:
    """Start `serve --db`, time it until `/` answers, then the latencies and the RSS."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    command = ("serve", "--port", str(port), "--threads", "8", "--db", url)
    process = subprocess.Popen(
        [sys.executable, "-c", START, *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        results = {"start_s": _until_up(base, process, started, start_timeout)}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mix = query_mix()
        for k, kind in enumerate(KINDS):
            results[kind] = _latencies(connection, mix[k::4])
        results["CQL2"] = _latencies(connection, cql2_mix())
        connection.close()
        results["rss_mb"] = psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return results


def _until_up(base: str, process: subprocess.Popen, started: float, timeout: float) -> float:
    """Seconds from ``started`` until the reader's page answers 200."""
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"serve --db exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"serve --db did not answer within {timeout:.0f} s")


def measure(size: int, work: Path) -> dict:
    """Every database row on ``size`` synthetic events, in a cluster of its own."""
    folder = work / f"n{size}"
    if not (folder / "events.geojson").exists():
        write_dataset(size, folder)
    with cluster() as postgres:
        url = postgres.create_database("bench")
        results = {"size": size, **measure_load(folder, url), **measure_server(url)}
        results["database_mb"] = (
            int(postgres.sql("SELECT pg_database_size('bench')", "bench") or 0) / 2**20
        )
    return results


def render(row: dict) -> list[str]:
    """The rows with their targets, as in RESULTS.md."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    size = row["size"]
    lines = [
        f"With {size:,} synthetic events in PostGIS (a throwaway cluster on this machine; "
        f"database {row['database_mb']:,.0f} MB after two loads):",
        "",
        "| measure | measured | target | | pygeoapi p95 (the issue's figure) |",
        "|---|---:|---|---|---|",
        f"| `db load`, first version (validation included) | {row['first_s']:.1f} s "
        f"(CPU {row['first_cpu_s']:.1f} s) | < {LOAD_TARGET_S} s | "
        f"{verdict(row['first_s'] < LOAD_TARGET_S)} | |",
        f"| `db load` of the same folder again (diff recorded: {row['again_summary']}) "
        f"| {row['again_s']:.1f} s (CPU {row['again_cpu_s']:.1f} s) | < {LOAD_TARGET_S} s | "
        f"{verdict(row['again_s'] < LOAD_TARGET_S)} | |",
        f"| `serve --db` start, until `/` answers | {row['start_s']:.2f} s | "
        f"< {START_TARGET_S} s | {verdict(row['start_s'] < START_TARGET_S)} | |",
    ]
    for kind in (*KINDS, "CQL2"):
        p50, p95 = row[kind]
        lines.append(
            f"| items p95, limit=100, {kind} (p50) | {p95:.1f} ms ({p50:.1f} ms) | "
            f"< {P95_TARGET_MS} ms | {verdict(p95 < P95_TARGET_MS)} | {PYGEOAPI[kind] or '–'} |"
        )
    lines.append(
        f"| server RSS after those | {row['rss_mb']:,.0f} MB | < {RSS_TARGET_MB} MB | "
        f"{verdict(row['rss_mb'] < RSS_TARGET_MB)} | |"
    )
    return lines
