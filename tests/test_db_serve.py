"""`serve --db`: new versions served within 2 s, and a database that goes away."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from almaty_map.database.connect import open_engine
from almaty_map.database.loading import load_folder
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from harness.postgres import cluster
from harness.serving import ROOT, START, free_port, running
from tests.conftest import DATA, MAX_BYTES, loaded_database, new_database

pytestmark = [pytest.mark.db, pytest.mark.server]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def event_ids(base: str) -> set[str]:
    _, body = get(base + "/ogc/collections/events/items?limit=1000")
    return {feature["id"] for feature in json.loads(body)["features"]}


def load(url: str, folder) -> None:
    engine = open_engine(url)
    load_folder(engine, folder, MAX_BYTES, lambda done, total: None)
    engine.dispose()


def served_within(base: str, expected: set[str], seconds: float) -> float:
    """Seconds until the server serves ``expected``; fails after ``seconds``."""
    began = time.monotonic()
    while event_ids(base) != expected:
        assert time.monotonic() - began < seconds, f"not served within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - began


def logged_within(log: Path, text: str, seconds: float) -> str:
    """The log once it holds ``text``; fails after ``seconds``."""
    began = time.monotonic()
    while text not in (logged := log.read_text()):
        assert time.monotonic() - began < seconds, f"{text!r} not logged within {seconds} s"
        time.sleep(0.05)
    return logged


def test_a_new_version_is_served_within_two_seconds(postgres, bundled):
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    with running("--db", url) as server:
        assert len(event_ids(server.url)) == 3
        load(url, BUNDLED)
        served_within(server.url, set(bundled.events["id"]), 2.0)


def test_an_unreachable_database_at_start_is_one_line_without_its_password():
    url = "postgresql://editor:s3cret-pw@127.0.0.1:1/almaty_map"
    result = subprocess.run(
        [sys.executable, "-c", START, "serve", "--port", str(free_port()), "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "Error: Cannot connect to the database at postgresql://editor:***@127.0.0.1:1/almaty_map"
    )
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_postgresql_down_is_a_503_and_service_resumes_without_a_restart(tmp_path):
    """The server keeps only the version's head and selects events per request: while
    PostgreSQL is down a request that needs it is a 503 with Retry-After (never a 500),
    and once it is back the next version is served, with no restart."""
    with cluster() as own:
        _, url = new_database(own)
        loaded_database(url, DATA / "base")
        log = tmp_path / "serve.log"
        with running("--db", url, log=log) as server:
            own.stop("fast")
            time.sleep(1.5)  # the listener has noticed
            for path in ("/", "/ogc/collections/events/items", "/download.geojson", "/map"):
                with pytest.raises(urllib.error.HTTPError) as refused:
                    get(server.url + path)
                assert refused.value.code == 503, path
                assert refused.value.headers["Retry-After"] == "5"
            assert get(server.url + "/ogc/conformance")[0] == 200  # needs no database
            own.start()
            load(url, BUNDLED)
            served_within(server.url, set(load_dataset().events["id"]), 5.0)
            # A request can find the new version before the listener's next try (one a
            # second) reconnects and says so.
            logged = logged_within(log, "answers again", 5.0)
        assert logged.count("Lost the database at postgresql://") == 1  # once, not each second
