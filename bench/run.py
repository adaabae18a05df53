"""`make bench`: almaty-map against plain Folium on the same synthetic data, in one run.

Builds every variant from the same events file in its own process (wall time, peak RSS,
HTML size), opens each page in Chromium offline (first paint, slice switch, JS heap), and
measures our server (start-up, items latency, throughput, memory). Prints one table and
writes it, with the machine it ran on, to bench/RESULTS.md.

    python -m bench.run            # 1,000, 10,000 and 100,000 events
    python -m bench.run --quick    # stops at 10,000, for development
    python -m bench.run --only tables   # just the ACLED-style CSV row (bench/work/)
    python -m bench.run --only cql2  # the CQL2 row alone, at 100,000 events
    python -m bench.run --only db    # the million-event database rows (bench/DATABASE.md)
    python -m bench.run --only db-load   # only its three `db load` rows (bench/DATABASE-LOAD.md)
    python -m bench.run --only db-serve --db URL  # their server rows, on a loaded database
    python -m bench.run --only export --runs 5   # our export against the GeoJson baseline
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from almaty_map.maprender.chromium import find_chromium, launch
from bench import browser as browser_bench
from bench import database as database_bench
from bench import server as server_bench
from bench import tables as tables_bench
from harness.synthetic import write_dataset

ROOT = Path(__file__).parents[1]
WORK = ROOT / "bench" / "work"
LABELS = {
    "ours": "**almaty-map export** (canvas; drawing block + packed details)",
    "geojson": "Folium `GeoJson` + `GeoJsonPopup` per day",
    "circlemarker": "Folium `CircleMarker` + `Popup` each (canvas)",
    "marker": "Folium `Marker` + `Popup` each",
    "fastcluster": "Folium `FastMarkerCluster` (no popups, no time)",
    "geopandas": "GeoPandas alone: read / write the file",
}
# The database rows' size (the issue's million); a quick run uses its largest size.
DB_SIZE = 1_000_000
# The rows run alone with --only that have a report of their own, and its file.
ONLY_FILES = {"cql2": "CQL2.md", "db": "DATABASE.md", "db-load": "DATABASE-LOAD.md"}
# Variants too slow to open in a browser at a size (the issue measured 42 s at 10,000).
SKIP_BROWSER = {"marker": 10_000, "circlemarker": 100_000}


def build(variant: str, folder: Path) -> dict:
    """Run one build in a fresh process; add its peak RSS (from the kernel's accounting)."""
    out = WORK / f"{folder.name}-{variant}.html"
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.variants", variant, str(folder), str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    if status != 0:
        raise RuntimeError(f"{variant} failed on {folder}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["path"] = out
    return result


def fmt(value, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def run(sizes: list[int]) -> str:
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    servers: dict[int, dict] = {}
    with sync_playwright() as playwright:
        chromium = launch(playwright, args=browser_bench.OFFLINE_ARGS)
        for size in sizes:
            folder = WORK / f"n{size}"
            if not (folder / "events.geojson").exists():
                write_dataset(size, folder)
            for variant in LABELS:
                print(
                    f"[{time.monotonic() - started:6.0f} s] {size:,} {variant}: build", flush=True
                )
                result = build(variant, folder)
                result.update(size=size, variant=variant)
                if variant != "geopandas" and size < SKIP_BROWSER.get(variant, 10**9):
                    print(
                        f"[{time.monotonic() - started:6.0f} s] {size:,} {variant}: browser",
                        flush=True,
                    )
                    result.update(
                        browser_bench.measure(chromium, result["path"], variant == "ours")
                    )
                rows.append(result)
            print(f"[{time.monotonic() - started:6.0f} s] {size:,}: server", flush=True)
            servers[size] = server_bench.measure(folder)
        version = chromium.version
        chromium.close()
    print(f"[{time.monotonic() - started:6.0f} s] {max(sizes):,}: ACLED-style CSV", flush=True)
    tables = tables_bench.render(tables_bench.measure(max(sizes), WORK))
    db_size = DB_SIZE if max(sizes) > 10_000 else max(sizes)
    print(f"[{time.monotonic() - started:6.0f} s] {db_size:,}: database", flush=True)
    database = database_bench.render(database_bench.measure(db_size, WORK))
    table = "\n\n".join((render(rows, servers, sizes), "\n".join(tables), "\n".join(database)))
    elapsed = time.monotonic() - started
    return report(table, version, elapsed, (load_before, os.getloadavg()[0]))


def render(rows: list[dict], servers: dict[int, dict], sizes: list[int]) -> str:
    lines = [
        "| events | variant | build (s) | peak RSS (MB) | HTML (MB) | first paint (s) "
        "| slice switch (ms, median of 10) | JS heap (MB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        build = (
            f"{row['seconds']:.2f} / {row['write_seconds']:.2f}"
            if row["variant"] == "geopandas"
            else fmt(row["seconds"])
        )
        skipped = "first_paint" not in row and row["variant"] != "geopandas"
        paint = "not opened (too slow)" if skipped else fmt(row.get("first_paint"))
        lines.append(
            f"| {row['size']:,} | {LABELS[row['variant']]} | {build} | "
            f"{fmt(row['peak_rss_mb'], digits=0)} | "
            f"{fmt(row['html_bytes'] / 1e6) if row['html_bytes'] else '–'} | {paint} | "
            f"{fmt(row.get('switch_ms'), digits=1)} | {fmt(row.get('heap_mb'), digits=0)} |"
        )
    lines += [
        "",
        "| events | server start-up: load + validate (s) | GeoPandas read (s) | items p50 (ms) "
        "| items p95 (ms) | limit=10000 page (ms) | requests/s, 8 clients | server RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        server = servers[size]
        read = next(r["seconds"] for r in rows if r["size"] == size and r["variant"] == "geopandas")
        lines.append(
            f"| {size:,} | {fmt(server['startup_s'])} | {fmt(read)} | "
            f"{fmt(server['p50_ms'], digits=1)} | {fmt(server['p95_ms'], digits=1)} | "
            f"{fmt(server['big_page_ms'], digits=0)} | {fmt(server['rps'], digits=0)} | "
            f"{fmt(server['rss_mb'], digits=0)} |"
        )
    lines += ["", *targets(rows, servers, max(sizes))]
    return "\n".join(lines)


def targets(rows: list[dict], servers: dict[int, dict], size: int) -> list[str]:
    """The issue's targets at the largest size, as ratios measured in this run."""
    by = {r["variant"]: r for r in rows if r["size"] == size}
    ours, geojson, cluster = by["ours"], by["geojson"], by["fastcluster"]
    server = servers[size]

    def line(name: str, value: float, goal: str, ok: bool) -> str:
        return f"| {name} | {value} | {goal} | {'met' if ok else 'missed'} |"

    out = [
        f"Targets at {size:,} events (ratios from this run):",
        "",
        "| target | measured | goal | |",
        "|---|---:|---|---|",
    ]
    speed = geojson["seconds"] / ours["seconds"]
    out.append(line("export speed vs GeoJson per day", f"{speed:.2f}×", "≥ 3×", speed >= 3))
    rss = ours["peak_rss_mb"] / geojson["peak_rss_mb"]
    out.append(line("export peak RSS vs GeoJson per day", f"{rss:.0%}", "< 50%", rss < 0.5))
    size_ratio = ours["html_bytes"] / geojson["html_bytes"]
    out.append(
        line("HTML size vs GeoJson per day", f"{size_ratio:.0%}", "≤ 60%", size_ratio <= 0.6)
    )
    if "first_paint" in ours and "first_paint" in geojson:
        out.append(
            line(
                "first paint",
                f"{ours['first_paint']:.2f} s",
                "< 1.5 s",
                ours["first_paint"] < 1.5,
            )
        )
        paint = geojson["first_paint"] / ours["first_paint"]
        out.append(line("first paint vs GeoJson per day", f"{paint:.1f}×", "≥ 6×", paint >= 6))
        out.append(
            line(
                "first paint vs FastMarkerCluster",
                f"{ours['first_paint']:.2f} s vs {cluster['first_paint']:.2f} s",
                "as fast",
                ours["first_paint"] <= cluster["first_paint"] * 1.05,
            )
        )
        out.append(
            line("slice switch", f"{ours['switch_ms']:.0f} ms", "< 100 ms", ours["switch_ms"] < 100)
        )
    read = by["geopandas"]["seconds"]
    out.append(
        line(
            "start-up vs GeoPandas read",
            f"{server['startup_s'] / read:.2f}×",
            "< 2×",
            server["startup_s"] < 2 * read,
        )
    )
    out.append(
        line(
            "items p95, limit=100, mixed filters",
            f"{server['p95_ms']:.1f} ms",
            "< 50 ms",
            server["p95_ms"] < 50,
        )
    )
    out.append(line("server RSS", f"{server['rss_mb']:.0f} MB", "< 600 MB", server["rss_mb"] < 600))
    out.append(cql2_line(server))
    return out


def cql2_line(server: dict) -> str:
    p95 = server["cql2_p95_ms"]
    verdict = "met" if p95 < 100 else "**missed**"
    return (
        f"- CQL2 filter p95 (spatial + temporal, limit=100): {p95:.1f} ms "
        f"(p50 {server['cql2_p50_ms']:.1f} ms), target < 100 ms: {verdict}"
    )


def run_database(size: int = DB_SIZE) -> str:
    """Only the database rows: their own cluster, the synthetic million."""
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    lines = database_bench.render(database_bench.measure(size, WORK))
    table = "\n".join(lines)
    return (
        f"# The database rows\n\nRun on {dt.date.today().isoformat()} at commit {_commit()}, "
        f"in {(time.monotonic() - started) / 60:.1f} minutes, with `python -m bench.run "
        f"--only db`, on {machine()}. Load average over one minute at the start: "
        f"{os.getloadavg()[0]:.1f}: the machine is shared, so wall times run above the CPU "
        f"times shown.\n\n{table}\n"
    )


def run_database_loads(size: int = DB_SIZE) -> str:
    """Only the three `db load` rows of the database rows, in their own cluster."""
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    lines = database_bench.render_loads(database_bench.measure_loads(size, WORK))
    return (
        f"# The database load rows\n\nRun on {dt.date.today().isoformat()} at commit "
        f"{_commit()}, in {(time.monotonic() - started) / 60:.1f} minutes, with `python -m "
        f"bench.run --only db-load`, on {machine()}. Load average over one minute at the "
        f"start: {os.getloadavg()[0]:.1f}: the machine is shared, so wall times run above the "
        f"CPU times shown.\n\n" + "\n".join(lines) + "\n"
    )


def run_database_serve(url: str) -> str:
    """Only the server rows, against a database already loaded (``--db``)."""
    started = time.monotonic()
    table = "\n".join(database_bench.render_server(database_bench.measure_loaded(url)))
    return (
        f"# The database's server rows\n\nRun on {dt.date.today().isoformat()} at commit "
        f"{_commit()}, in {(time.monotonic() - started) / 60:.1f} minutes, with `python -m "
        f"bench.run --only db-serve --db URL`, on {machine()}. Load average over one minute "
        f"at the start: {os.getloadavg()[0]:.1f}.\n\n{table}\n"
    )


def run_cql2(size: int = 100_000) -> str:
    """Only the CQL2 row: the same synthetic events, their own server."""
    started = time.monotonic()
    folder = WORK / f"n{size}"
    if not (folder / "events.geojson").exists():
        write_dataset(size, folder)
    line = cql2_line(server_bench.measure_cql2(folder))
    return (
        f"# CQL2 filter latency\n\nRun on {dt.date.today().isoformat()}, {size:,} synthetic "
        f"events, in {time.monotonic() - started:.0f} s, with `python -m bench.run --only "
        f"cql2`.\n\nMachine: {machine()}.\n\n{line}\n"
    )


def run_export(sizes: list[int], runs: int) -> str:
    """Only the export rows: our build and the GeoJson-per-day baseline, alternated
    ``runs`` times at each size (each build in its own process), with medians and the
    speed ratio of each run, so a noisy machine shows as spread rather than as one figure.
    CPU time (user + system, from the kernel) is given too: it moves less with the load."""
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    WORK.mkdir(parents=True, exist_ok=True)
    lines = [
        "| events | variant | build (s), median | each run (s) | CPU (s), median "
        "| peak RSS (MB), median | HTML (MB) |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    summary = []
    for size in sizes:
        found = _export_runs(size, runs, started)
        lines += [_export_row(size, variant, results) for variant, results in found.items()]
        summary.append(_export_ratio(size, found))
    load = (load_before, os.getloadavg()[0])
    return (
        f"# Export speed against plain Folium\n\nRun on {dt.date.today().isoformat()} at "
        f"commit {_commit()}, in {(time.monotonic() - started) / 60:.1f} minutes, with "
        f"`python -m bench.run --only export --runs {runs}`, on {machine()} (load average "
        f"over one minute: {load[0]:.1f} at the start, {load[1]:.1f} at the end).\n\n"
        + "\n".join([*lines, "", *summary])
        + "\n"
    )


def _export_runs(size: int, runs: int, started: float) -> dict[str, list[dict]]:
    folder = WORK / f"n{size}"
    if not (folder / "events.geojson").exists():
        write_dataset(size, folder)
    found: dict[str, list[dict]] = {"ours": [], "geojson": []}
    for i in range(runs):
        for variant, results in found.items():
            print(f"[{time.monotonic() - started:6.0f} s] {size:,} {variant} #{i + 1}", flush=True)
            results.append(build(variant, folder))
    return found


def _export_row(size: int, variant: str, results: list[dict]) -> str:
    seconds = [r["seconds"] for r in results]
    return (
        f"| {size:,} | {LABELS[variant]} | {statistics.median(seconds):.2f} | "
        f"{', '.join(f'{s:.2f}' for s in seconds)} | "
        f"{statistics.median(r['cpu_seconds'] for r in results):.2f} | "
        f"{statistics.median(r['peak_rss_mb'] for r in results):,.0f} | "
        f"{results[-1]['html_bytes'] / 1e6:.2f} |"
    )


def _export_ratio(size: int, found: dict[str, list[dict]]) -> str:
    """Ratios run by run (each of ours against the baseline built right after it)."""
    pairs = list(zip(found["ours"], found["geojson"], strict=True))
    each = [baseline["seconds"] / ours["seconds"] for ours, baseline in pairs]
    cpu = statistics.median(b["cpu_seconds"] / o["cpu_seconds"] for o, b in pairs)
    rss = statistics.median(o["peak_rss_mb"] / b["peak_rss_mb"] for o, b in pairs)
    return (
        f"- {size:,} events: export {statistics.median(each):.2f}× faster than GeoJson per day "
        f"(median of {len(pairs)} runs; each run: {', '.join(f'{r:.2f}×' for r in each)}); "
        f"{cpu:.2f}× in CPU time; peak RSS {rss:.0%} of the baseline's"
    )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1]) // 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def report(table: str, chromium: str, elapsed: float, load: tuple[float, float]) -> str:
    commit = _commit()
    return (
        f"# Benchmark results\n\n"
        f"Run on {dt.date.today().isoformat()} at commit {commit}, in {elapsed / 60:.1f} "
        f"minutes, with `make bench`.\n\n"
        f"Machine: {machine()}; Chromium {chromium} ({find_chromium()}), headless, "
        f"network cut. Synthetic events from `harness/synthetic.py` (300-character "
        f"descriptions, one or two quoted sources, six categories, ten days); plain-Folium "
        f"pages have their assets inlined from installed packages, like ours. Every build "
        f"reads the same GeoJSON file and writes one HTML file, each in its own process. "
        f"Single runs: the machine is shared, so expect ±10–20% (load average over one "
        f"minute: {load[0]:.1f} at the start, {load[1]:.1f} at the end, on "
        f"{os.cpu_count()} cores).\n\n{table}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Stop at 10,000 events.")
    parser.add_argument("--out", type=Path, help="default: bench/RESULTS.md for the whole run")
    parser.add_argument(
        "--only",
        choices=["tables", "cql2", "db", "db-load", "db-serve", "export"],
        help="Run one row only (tables: written under bench/work/; export: bench/EXPORT.md).",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="With --only export: builds of each (default 3)."
    )
    parser.add_argument(
        "--sizes", help="With --only export: comma-separated event counts (default 100000)."
    )
    parser.add_argument("--db", help="With --only db-serve: the URL of a loaded database.")
    args = parser.parse_args()
    if args.only == "db-serve":
        if not args.db:
            parser.error("--only db-serve needs --db URL, a database holding a loaded version")
        text = run_database_serve(args.db)
        out = args.out or WORK / "DATABASE-serve.md"
        WORK.mkdir(parents=True, exist_ok=True)
        print(text)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
        return
    if args.only == "export":
        sizes = [int(n) for n in (args.sizes or "100000").split(",")]
        text = run_export(sizes, args.runs)
        out = args.out or ROOT / "bench" / "EXPORT.md"
        print(text)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
        return
    if args.only in ONLY_FILES:
        text = {"cql2": run_cql2, "db": run_database, "db-load": run_database_loads}[args.only]()
        out = args.out or ROOT / "bench" / ONLY_FILES[args.only]
        print(text)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
        return
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.only == "tables":
        started = time.monotonic()
        WORK.mkdir(parents=True, exist_ok=True)
        table = "\n".join(tables_bench.render(tables_bench.measure(max(sizes), WORK)))
        text = (
            f"# The ACLED-style CSV row alone\n\nRun on {dt.date.today().isoformat()} at "
            f"commit {_commit()}, in {(time.monotonic() - started) / 60:.1f} minutes, with "
            f"`python -m bench.run --only tables`, on {machine()}.\n\n{table}\n"
        )
        args.out = args.out or WORK / "RESULTS-tables.md"
    else:
        text = run(sizes)
        args.out = args.out or ROOT / "bench" / "RESULTS.md"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
