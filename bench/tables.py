"""Reading an ACLED-style export: almaty-map's reading and validation of the CSV against
GeoPandas' ``read_file`` of the same file.

Both run in a fresh process each time (so neither gains from the other's warm caches), timed
from after the imports to the frame in hand, alternately, and the medians are compared: the
machine is shared, and a median of several runs moves less than one run does.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from harness.synthetic import write_acled_dataset

ROOT = Path(__file__).parents[1]
RUNS = 5
TARGET = 1.5  # ours at most this many times GeoPandas' read
_GEOPANDAS = (
    "import sys, time; import geopandas as gpd; t = time.perf_counter(); "
    "gpd.read_file(sys.argv[1], engine='pyogrio'); print(time.perf_counter() - t)"
)
_OURS = (
    "import sys, time; from almaty_map.geodata.dataset import load_dataset; "
    "t = time.perf_counter(); load_dataset(sys.argv[1]); print(time.perf_counter() - t)"
)


def _seconds(code: str, target: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(size: int, work: Path, runs: int = RUNS) -> dict:
    """Median seconds of each, over ``runs`` alternating runs, on ``size`` rows."""
    folder = work / f"acled-{size}"
    if not (folder / "events.csv").exists():
        write_acled_dataset(size, folder)
    theirs, ours = [], []
    for _ in range(runs):
        theirs.append(_seconds(_GEOPANDAS, folder / "events.csv"))
        ours.append(_seconds(_OURS, folder))
    result = {
        "size": size,
        "bytes": (folder / "events.csv").stat().st_size,
        "geopandas_s": statistics.median(theirs),
        "ours_s": statistics.median(ours),
        "runs": runs,
    }
    result["ratio"] = result["ours_s"] / result["geopandas_s"]
    return result


def render(row: dict) -> list[str]:
    ratio = row["ratio"]
    return [
        f"Reading an ACLED-style CSV ({row['size']:,} rows, {row['bytes'] / 1e6:.1f} MB; "
        f"medians of {row['runs']} runs, each in a fresh process):",
        "",
        "| rows | GeoPandas `read_file` (s) | almaty-map read + validate (s) | ratio | goal | |",
        "|---:|---:|---:|---:|---|---|",
        f"| {row['size']:,} | {row['geopandas_s']:.2f} | {row['ours_s']:.2f} | {ratio:.2f}× "
        f"| ≤ {TARGET}× | {'met' if ratio <= TARGET else 'missed'} |",
    ]
