"""What the team-deployment tests share: asking a server which version it serves, loading
a version, and a revised copy of the bundled data to load as the next one."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from almaty_map.database.connect import open_engine
from almaty_map.database.dumping import latest_version
from almaty_map.database.loading import load_folder
from almaty_map.geodata.bundled import BUNDLED
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
