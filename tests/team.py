"""What the team-deployment tests share: asking a server which version it serves, loading
a version, and a revised copy of the bundled data to load as the next one."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from almaty_map.database.connect import open_engine
from almaty_map.database.dumping import latest_version
from almaty_map.database.loading import load_folder
from almaty_map.geodata.bundled import BUNDLED
from harness.loadgen import request_mix, run_wrk
from tests.conftest import MAX_BYTES


def readiness(base: str) -> tuple[int, dict, dict[str, str]]:
    """/readyz's status, JSON body and headers (a 503 is an answer here, not an error)."""
    asked = urllib.request.Request(base + "/readyz", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(asked, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def served_version(base: str) -> str:
    status, body, _ = readiness(base)
    assert status == 200, body
    return body["version"]


def load(url: str, folder: Path) -> str:
    """Load ``folder`` as the new version; returns its fingerprint, which /readyz names."""
    engine = open_engine(url)
    try:
        load_folder(engine, folder, MAX_BYTES, lambda done, total: None)
        with engine.connect() as connection:
            return latest_version(connection).fingerprint
    finally:
        engine.dispose()


def revised_bundled(folder: Path) -> Path:
    """The bundled dataset with one event's title changed: a new version every request of
    harness.loadgen's mix still answers the same way (same ids, categories and dates)."""
    shutil.copytree(BUNDLED, folder)
    path = folder / "events.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][0]["properties"]["title"] += " (revised)"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return folder


def until(check, seconds: float, what: str) -> float:
    """Seconds until ``check()`` is true, polled every 20 ms; fails after ``seconds``."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < seconds, f"{what} not within {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - began


# wrk's bound for a hang: above the servers' database timeout in these tests (3 s).
HANG = 8


def restart_under_load(own, url: str, base: str, processes: list[str], tmp_path: Path) -> None:
    """Restart PostgreSQL (cluster ``own``, database ``url``) while wrk loads ``base``: every
    answer is 200, 400 (the mix's malformed requests) or 503 with Retry-After, never a 500
    or a hang; /readyz says 503 while it is down; afterwards a version loaded reaches every
    one of ``processes`` (LISTEN reconnected) without restarting anything."""
    revised = revised_bundled(tmp_path / "revised")
    mix = request_mix() + [("/readyz", False)] * 10
    with ThreadPoolExecutor(1) as pool:
        running_load = pool.submit(run_wrk, base, mix, 10, 8, timeout_s=HANG)
        time.sleep(2)
        own.stop("fast")
        down = until(lambda: readiness(base)[0] == 503, 3, "503 from /readyz")
        status, body, headers = readiness(base)
        assert (status, headers.get("Retry-After")) == (503, "5"), body
        time.sleep(3)
        own.start()
        up = until(lambda: all(readiness(p)[0] == 200 for p in processes), 5, "200 again")
        result = running_load.result()
    new = load(url, revised)
    took = until(lambda: all(served_version(p) == new for p in processes), 5, "next version")
    print(
        f"restart under load: 503 after {down:.2f} s, back {up:.2f} s after start, "
        f"next version everywhere in {took:.2f} s; {result}"
    )
    assert result.failures(busy_ok=True) == []  # 200, 400 or 503: no 500, no timeout
    assert result.s503 > 0  # the outage was seen under load
