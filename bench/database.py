"""The million-event rows: `db load` and `serve --db` on a throwaway PostgreSQL cluster.

- load: `almaty-map db load` of the synthetic events into an empty database (the first
  version), then again over it, then a version with one event in twelve retitled (new
  versions: compared with the previous one, their diff recorded), each a fresh process;
  wall time, the process's CPU time and the database server's (the machine is shared, and
  the CPU times say what the load itself cost, on either side of the connection);
- start: `serve --db` from its launch until `/` answers;
- items p95, limit=100, one client with keep-alive, for each kind of filter of the server
  row (bbox, datetime, category, combined) and the CQL2 mix, against the database;
- RSS: the server's resident memory after all of that.

``--only db-serve --db URL`` measures the server rows alone against a database loaded
beforehand (minutes rather than the three loads' half hour).

Every figure is shown with its target; pygeoapi's figures are the issue's, measured on the
same kind of table (1M points, PostGIS, GiST and btree indexes), for scale.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

from bench.server import cql2_mix, p50_p95, query_mix, timed_twice
from harness.postgres import Cluster, cluster, serving_memory
from harness.serving import START, free_port, server_environment, stop
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
MIXED = "all five kinds as one mix"


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


def retitled(folder: Path) -> Path:
    """The same events with one in twelve retitled (every "Vigil held on …" becomes "…
    near …"): a new version that changes some of a million events."""
    out = folder.with_name(f"{folder.name}-retitled")
    if not (out / "events.geojson").exists():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "dataset.toml", out / "dataset.toml")
        text = (folder / "events.geojson").read_bytes()
        changed = text.replace(b'"title":"Vigil held on ', b'"title":"Vigil held near ')
        (out / "events.geojson").write_bytes(changed)
    return out


def measure_load(folder: Path, url: str, postgres: Cluster) -> dict:
    """A first load into an empty database, the same folder again as a new version, then
    a version with some events changed; each one's summary as `db load` printed it, and
    the CPU the database server spent on it."""
    _almaty_map("db", "init", "--db", url)
    results = {}
    for name, source in (("first", folder), ("again", folder), ("changed", retitled(folder))):
        server_before = _server_cpu(postgres)
        wall, cpu, output = _almaty_map(
            "db", "load", str(source), "--db", url, "--quiet", "--max-size", MAX_MB
        )
        summary = output.strip().splitlines()[-1].split(": ", 1)[1].rstrip(".")
        server = _server_cpu(postgres) - server_before
        results[name] = {"wall_s": wall, "cpu_s": cpu, "server_cpu_s": server, "summary": summary}
    return results


def _server_cpu(postgres: Cluster, timeout: float = 10) -> float:
    """CPU seconds of the cluster's finished processes: a load's connection is one, counted
    once its process has ended (the server reaps it), so the difference across a load is
    its share (and any autovacuum worker's that ran meanwhile)."""
    postmaster = psutil.Process(
        int((postgres.folder / "data" / "postmaster.pid").read_text().split()[0])
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _serving_bench(postmaster):
        time.sleep(0.05)  # the load's connection is still closing
    times = postmaster.cpu_times()
    return times.children_user + times.children_system


def _serving_bench(postmaster: psutil.Process) -> bool:
    """Whether a connection to the bench database is still open (its process title)."""
    for child in postmaster.children():
        try:
            if " bench " in " ".join(child.cmdline()):
                return True
        except psutil.Error:  # it ended meanwhile
            continue
    return False


def measure_loads(size: int, work: Path) -> dict:
    """The three load rows alone, in a cluster of their own."""
    folder = work / f"n{size}"
    if not (folder / "events.geojson").exists():
        write_dataset(size, folder)
    with cluster(settings=serving_memory()) as postgres:
        return {"size": size, **measure_load(folder, postgres.create_database("bench"), postgres)}


def measure_server(url: str, start_timeout: float = 1800) -> dict:
    """Start `serve --db`, time it until `/` answers, then the latencies and the RSS."""
    with tempfile.TemporaryFile() as log:
        port = free_port()
        started = time.monotonic()
        command = ("serve", "--port", str(port), "--threads", "8", "--db", url)
        process = subprocess.Popen(
            [sys.executable, "-c", START, *command, "--max-size", MAX_MB],
            cwd=ROOT,
            env=server_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            try:
                results = {"start_s": _until_up(port, process, started, start_timeout)}
            except RuntimeError as exc:
                log.seek(0)
                said = log.read().decode(errors="replace").strip().splitlines()[-1:]
                raise RuntimeError(f"{exc} ({' '.join(said)})") from None
            results |= _latencies_by_kind(port)
            results["shared_buffers"] = _shared_buffers(url)
            results["rss_mb"] = psutil.Process(process.pid).memory_info().rss / 2**20
        finally:
            stop(process)
    return results


def _shared_buffers(url: str) -> str:
    """The database's cache size (the server rows depend on it: see ``serving_memory``)."""
    from almaty_map.database.connect import open_engine

    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW shared_buffers").scalar_one())
    finally:
        engine.dispose()


def _latencies_by_kind(port: int) -> dict:
    """p50 and p95 of each kind of filter in the server row's mix, of the CQL2 mix, and
    of all five together (the issue's "mixed filters" read as one mix)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    mix = query_mix()
    samples = {kind: timed_twice(connection, mix[k::4]) for k, kind in enumerate(KINDS)}
    samples["CQL2"] = timed_twice(connection, cql2_mix())
    connection.close()
    results = {kind: p50_p95(taken) for kind, taken in samples.items()}
    results[MIXED] = p50_p95([ms for taken in samples.values() for ms in taken])
    return results


def _until_up(port: int, process: subprocess.Popen, started: float, timeout: float) -> float:
    """Seconds from ``started`` until the reader's page answers 200."""
    base = f"http://127.0.0.1:{port}"
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
    with cluster(settings=serving_memory()) as postgres:
        url = postgres.create_database("bench")
        results = {"size": size, **measure_load(folder, url, postgres)}
        try:
            results |= measure_server(url)
        except RuntimeError as exc:  # the load rows are still worth reporting
            results["server_error"] = str(exc)
        results["database_mb"] = (
            int(postgres.sql("SELECT pg_database_size('bench')", "bench") or 0) / 2**20
        )
    return results


def measure_loaded(url: str) -> dict:
    """The server rows against a database that already holds a version (no loads, so
    they can be measured again in minutes)."""
    from almaty_map.database.connect import open_engine, shown
    from almaty_map.database.dumping import latest_version

    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            version = latest_version(connection)
    finally:
        engine.dispose()
    if version is None:
        raise SystemExit(f"{shown(engine.url)} holds no version: load one with `db load`")
    return {"size": version.event_count, "url": shown(engine.url), **measure_server(url)}


LOADS = (
    ("first", "into an empty database (validation included)"),
    ("again", "the same folder again"),
    ("changed", "one event in twelve retitled"),
)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _load_line(what: str, load: dict) -> str:
    return (
        f"| {what}: {load['summary']} | {load['wall_s']:.1f} s (CPU {load['cpu_s']:.1f} s; "
        f"PostgreSQL's {load['server_cpu_s']:.1f} s) "
        f"| < {LOAD_TARGET_S} s | {verdict(load['wall_s'] < LOAD_TARGET_S)} | |"
    )


def render_loads(row: dict) -> list[str]:
    """The load rows alone, with their target."""
    return [
        f"With {row['size']:,} synthetic events, each load a fresh `almaty-map` process "
        "against a throwaway cluster on this machine:",
        "",
        "| measure | measured | target | | |",
        "|---|---:|---|---|---|",
        *(_load_line(f"`db load`, {what}", row[name]) for name, what in LOADS),
    ]


def render(row: dict) -> list[str]:
    """The rows with their targets, as in RESULTS.md."""
    size = row["size"]
    lines = [
        f"With {size:,} synthetic events in PostGIS (a throwaway cluster on this machine; "
        f"database {row['database_mb']:,.0f} MB after three loads):",
        "",
        "| measure | measured | target | | pygeoapi p95 (the issue's figure) |",
        "|---|---:|---|---|---|",
        *(_load_line(f"`db load`, {what}", row[name]) for name, what in LOADS),
    ]
    if "server_error" in row:
        return [*lines, f"| `serve --db` | not measured: {row['server_error']} | | | |"]
    return lines + server_lines(row)


def render_server(row: dict) -> list[str]:
    """The server rows alone, measured against a database loaded beforehand."""
    return [
        f"With the {row['size']:,} events of a database loaded beforehand ({row['url']}):",
        "",
        "| measure | measured | target | | pygeoapi p95 (the issue's figure) |",
        "|---|---:|---|---|---|",
        *server_lines(row),
    ]


def server_lines(row: dict) -> list[str]:
    """The rows of `serve --db`: start, each kind of filter's latency, the RSS."""
    lines = []
    lines.append(
        f"| `serve --db` start, until `/` answers | {row['start_s']:.2f} s | "
        f"< {START_TARGET_S} s | {verdict(row['start_s'] < START_TARGET_S)} | |"
    )
    lines.append(f"| PostgreSQL's `shared_buffers` | {row['shared_buffers']} | | | |")
    for kind in (*KINDS, "CQL2", MIXED):
        p50, p95 = row[kind]
        lines.append(
            f"| items p95, limit=100, {kind} (p50) | {p95:.1f} ms ({p50:.1f} ms) | "
            f"< {P95_TARGET_MS} ms | {verdict(p95 < P95_TARGET_MS)} | "
            f"{PYGEOAPI.get(kind) or '–'} |"
        )
    lines.append(
        f"| server RSS after those | {row['rss_mb']:,.0f} MB | < {RSS_TARGET_MB} MB | "
        f"{verdict(row['rss_mb'] < RSS_TARGET_MB)} | |"
    )
    return lines
