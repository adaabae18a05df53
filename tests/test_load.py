"""The real server (waitress, `almaty-map serve`) under concurrent load from wrk.

Short runs, so they fit in `make test`; `make loadtest` runs the same mix for minutes and
records the figures. Each run mixes item queries, single features, map pages, the reader's
page, downloads and malformed requests: every malformed request must get 400, every other
one 200, with no socket error and no 5xx.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from almaty_map.geodata.bundled import BUNDLED
from harness.loadgen import request_mix, run_wrk
from harness.serving import running

pytestmark = [pytest.mark.load, pytest.mark.server]
SECONDS = 15
CONNECTIONS = 16
EDITED = "2022-01-06-csto-arrives"


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> float:
    """Seconds until ``check`` holds; fails the test after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def test_mixed_load_gets_only_200_and_400_and_memory_stays_flat(tmp_path):
    mix = request_mix()
    with running("--threads", "8", log=tmp_path / "serve.log") as server:
        for path, malformed in mix:  # each request's expected answer, and a warm-up
            status, _ = fetch(server.url + path)
            assert status == (400 if malformed else 200), path
        warm = run_wrk(server.url, mix, 3, CONNECTIONS)
        before = rss_mb(server.pid)
        load = run_wrk(server.url, mix, SECONDS, CONNECTIONS)
        after = rss_mb(server.pid)
    assert not warm.failures() and not load.failures(), load.failures()
    assert load.sent_bad > 50 and load.s2xx > 500, load
    # Bounded: the caches are full after the warm-up, so the load adds no lasting memory.
    assert after - before < 20, f"RSS grew from {before:.0f} MB to {after:.0f} MB"


def _event_title(url: str) -> str:
    status, body = fetch(f"{url}/ogc/collections/events/items/{EDITED}")
    assert status == 200
    return json.loads(body)["properties"]["title"]


def _with_title(doc: dict, title: str) -> str:
    for feature in doc["features"]:
        if feature["properties"]["id"] == EDITED:
            feature["properties"]["title"] = title
    return json.dumps(doc, ensure_ascii=False, indent=1)


def test_watch_reloads_good_edits_and_keeps_the_last_good_under_load(tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(BUNDLED, folder)
    events = folder / "events.geojson"
    doc = json.loads(events.read_text(encoding="utf-8"))
    log = tmp_path / "serve.log"
    env = {"ALMATY_MAP_WATCH_INTERVAL": "0.2"}
    args = ("--threads", "8", "--watch", "--data", str(folder))
    with running(*args, env=env, log=log) as server, ThreadPoolExecutor(1) as pool:
        url = server.url
        load = pool.submit(run_wrk, url, request_mix(), SECONDS, CONNECTIONS)
        time.sleep(2)

        # An editor saves a good change in place: it is served within seconds.
        events.write_text(_with_title(doc, "Edited: CSTO troops arrive"), encoding="utf-8")
        wait_for(lambda: _event_title(url) == "Edited: CSTO troops arrive", "good edit served")

        # A bad save (cut off mid-file) is reported and the last good version stays up.
        events.write_text(_with_title(doc, "Never served")[:5000], encoding="utf-8")
        kept = "still serving the last good dataset"
        wait_for(lambda: kept in log.read_text(), "bad edit logged")
        assert "events.geojson, line" in log.read_text()
        assert _event_title(url) == "Edited: CSTO troops arrive"
        status, body = fetch(f"{url}/ogc/collections/events/items?limit=1000")
        assert status == 200 and json.loads(body)["numberMatched"] == len(doc["features"])
        status, page = fetch(url + "/")
        assert status == 200 and b"waiting for review" in page
        assert b"events.geojson" not in page and str(folder).encode() not in page

        # Fixing the file clears the notice.
        events.write_text(_with_title(doc, "Fixed"), encoding="utf-8")
        wait_for(lambda: _event_title(url) == "Fixed", "fixed edit served")
        assert b"waiting for review" not in fetch(url + "/")[1]

        result = load.result()
    assert not result.failures(), result.failures()
    assert result.s2xx > 300, result
