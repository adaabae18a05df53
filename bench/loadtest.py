"""`make loadtest`: minutes of mixed load on `almaty-map serve`, figures to bench/LOADTEST.md.

The same request mix as the short load test in `make test` (item queries with mixed
filters and formats, map pages, the reader's page, downloads, and malformed requests that
must get 400), run in consecutive wrk rounds so memory can be sampled between them. Fails
(exit status 1) on any socket error, 5xx, wrong status, or memory that keeps growing.

    python -m bench.loadtest                 # 3 minutes, 16 connections
    python -m bench.loadtest --minutes 10 --connections 32
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from bench.run import machine
from harness.loadgen import Load, request_mix, run_wrk
from harness.serving import running

ROOT = Path(__file__).parents[1]
ROUND_SECONDS = 20
# Memory may settle in the first rounds (caches, allocator arenas); after that it must not
# grow by more than this between the second round and the last.
MAX_GROWTH = 0.05
CONTROL = "control: no malformed"
HEADER = (
    "| round | requests | req/s | p50 ms | p99 ms | 200 | 400 (malformed) | errors | RSS MB |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def warm_up(url: str, mix: list[tuple[str, bool]]) -> None:
    """Send each request once and check its status, so the load's answers mean something."""
    for path, malformed in mix:
        try:
            with urllib.request.urlopen(url + path, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != (400 if malformed else 200):
            sys.exit(f"{path} answered {status} before the load started")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "LOADTEST.md")
    args = parser.parse_args()

    mix = request_mix()
    rounds: list[tuple[Load, float]] = []
    print(HEADER, flush=True)
    with running("--threads", str(args.threads)) as server:
        warm_up(server.url, mix)
        process = psutil.Process(server.pid)
        start_mb = process.memory_info().rss / 2**20
        for _ in range(max(2, round(args.minutes * 60 / ROUND_SECONDS))):
            load = run_wrk(server.url, mix, ROUND_SECONDS, args.connections)
            rounds.append((load, process.memory_info().rss / 2**20))
            print(_row(str(len(rounds)), load, rounds[-1][1]), flush=True)
        # The same mix without the malformed requests: do they cost the others anything?
        clean = [(path, bad) for path, bad in mix if not bad]
        control = run_wrk(server.url, clean, ROUND_SECONDS, args.connections)
        control_mb = process.memory_info().rss / 2**20
        print(_row(CONTROL, control, control_mb), flush=True)

    failures = [f"round {i}: {f}" for i, (load, _) in enumerate(rounds, 1) for f in load.failures()]
    failures += [f"control round: {f}" for f in control.failures()]
    settled, last = rounds[1][1], rounds[-1][1]
    if last > settled * (1 + MAX_GROWTH):
        failures.append(f"memory grew from {settled:.0f} MB to {last:.0f} MB after round 2")
    report = _report(args, mix, rounds, (control, control_mb), start_mb, failures)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


def _row(name: str, load: Load, rss: float) -> str:
    return (
        f"| {name} | {load.requests:,} | {load.rps:,.0f} | {load.p50_ms:,.1f} | "
        f"{load.p99_ms:,.1f} | {load.s2xx:,} | {load.s400:,} | "
        f"{load.socket_errors + load.s503 + load.s5xx + load.s4xx + load.other} | {rss:,.0f} |"
    )


def _report(
    args,
    mix: list[tuple[str, bool]],
    rounds: list[tuple[Load, float]],
    control: tuple[Load, float],
    start_mb: float,
    failures: list[str],
) -> str:
    loads = [load for load, _ in rounds]
    total = sum(load.requests for load in loads)
    seconds = sum(load.seconds for load in loads)
    malformed = sum(1 for _, bad in mix if bad)
    lines = [
        "# Load test",
        "",
        f"`make loadtest` on {dt.date.today().isoformat()}: `almaty-map serve --threads "
        f"{args.threads}` (waitress) on loopback with the bundled dataset, driven by wrk "
        f"with {args.connections} connections in {len(rounds)} rounds of {ROUND_SECONDS} s.",
        f"Machine: {machine()}.",
        "",
        f"Request mix ({len(mix)} requests, cycled): item queries with mixed date, box, "
        "category and text filters as GeoJSON, CSV and HTML; single features; collections; "
        "`/map` pages; the reader's page; downloads; an export; and "
        f"{malformed} malformed requests that must each get 400.",
        "",
        f"**Overall: {total:,} requests in {seconds:,.0f} s, {total / seconds:,.0f} req/s; "
        f"median of round p50s {statistics.median(load.p50_ms for load in loads):.1f} ms, "
        f"worst round p99 {max(load.p99_ms for load in loads):.1f} ms; "
        f"{'no errors' if not failures else f'{len(failures)} failure(s)'}. Server RSS "
        f"{start_mb:.0f} MB after the warm-up, {rounds[1][1]:.0f} MB after round 2, "
        f"{rounds[-1][1]:.0f} MB at the end.**",
        "",
        HEADER,
        *(_row(str(i), load, rss) for i, (load, rss) in enumerate(rounds, 1)),
        _row(CONTROL, *control),
        "",
        f"Well-formed requests answered per second: {_good_rps(loads):,.0f} with the "
        f"malformed ones mixed in, {_good_rps([control[0]]):,.0f} without them (control).",
        "",
        "Errors count socket errors (connect, read, write, timeout), 5xx, and any status "
        "other than 200 for a well-formed request or 400 for a malformed one.",
    ]
    if failures:
        lines += ["", "## Failures", "", *(f"- {f}" for f in failures)]
    return "\n".join(lines) + "\n"


def _good_rps(loads: list[Load]) -> float:
    return sum(load.s2xx for load in loads) / sum(load.seconds for load in loads)


if __name__ == "__main__":
    sys.exit(main())
