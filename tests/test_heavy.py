"""Heavy work is bounded and shared: a slot per large download or render (503 with
Retry-After when none comes in time, never a hang), one render for concurrent requests of
the same view, 304 before anything is built, and no render for HEAD."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.geodata import formats
from almaty_map.maprender import build
from almaty_map.web import maps
from almaty_map.web.heavy import TRAFFIC, BusyError, HeavyGate, Traffic
from almaty_map.web.rendercache import RenderCache


def test_the_gate_admits_its_slots_queues_a_few_and_turns_the_rest_away():
    gate = HeavyGate(slots=2, queue=1, wait=0.3)
    first, second = gate.enter(), gate.enter()
    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        waiting = pool.submit(gate.enter)
        time.sleep(0.05)
        with pytest.raises(BusyError) as turned_away:
            gate.enter()  # the queue is full: at once
        assert time.monotonic() - started < 0.2
        assert turned_away.value.retry_after == 1
        with pytest.raises(BusyError):
            waiting.result()  # waited its 0.3 s, then gave up
    first.release()
    first.release()  # twice is once
    third = gate.enter()
    with pytest.raises(BusyError):
        gate.enter()
    second.release()
    third.release()


def test_a_waiting_request_gets_the_slot_given_back():
    gate = HeavyGate(slots=1, queue=1, wait=5)
    held = gate.enter()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(gate.enter)
        time.sleep(0.1)
        held.release()
        waiting.result(timeout=2).release()


def test_concurrent_requests_for_one_view_share_one_render():
    cache = RenderCache(2**20)
    calls = []
    gate = threading.Event()

    def make():
        calls.append(1)
        gate.wait(5)
        return b"map"

    with ThreadPoolExecutor(6) as pool:
        results = [pool.submit(cache.get, "view", make) for _ in range(6)]
        time.sleep(0.2)
        gate.set()
        assert [r.result(timeout=5) for r in results] == [b"map"] * 6
    assert len(calls) == 1


def test_a_failed_render_fails_every_waiter_and_is_not_kept():
    cache = RenderCache(2**20)
    started = threading.Event()

    def fail():
        started.set()
        time.sleep(0.2)
        raise ValueError("bad slicing")

    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(cache.get, "view", fail)
        started.wait(2)
        followers = [pool.submit(cache.get, "view", fail) for _ in range(2)]
        for future in (leader, *followers):
            with pytest.raises(ValueError, match="bad slicing"):
                future.result(timeout=5)
    assert cache.get("view", lambda: b"fixed") == b"fixed"


@pytest.fixture
def count_renders(monkeypatch):
    calls = []
    real = build.build_map

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.3)  # slow enough that the requests overlap
        return real(*args, **kwargs)

    for module in (maps, build):
        monkeypatch.setattr(module, "build_map", counted)
    return calls


def test_concurrent_identical_exports_render_once(synthetic_folder, count_renders):
    app = create_app({"TESTING": True, "DATA_PATH": str(synthetic_folder), "HEAVY_SLOTS": 4})

    def fetch(n):
        response = app.test_client().get(f"/export?slice=day&title=reader+{n}")
        return response.status_code, f"reader {n}" in response.text

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(fetch, range(4)))
    assert answers == [(200, True)] * 4
    assert len(count_renders) == 1


def test_head_requests_render_nothing(count_renders):
    client = create_app({"TESTING": True}).test_client()
    for path in ("/", "/map", "/export", "/download.geojson", "/download.csv"):
        response = client.head(path, query_string={"title": "random"})
        assert response.status_code == 200, path
        assert response.data == b""
        assert response.mimetype in {"text/html", "application/geo+json", "text/csv"}
    assert client.head("/export").headers["Content-Disposition"].startswith("attachment")
    assert client.head("/map?slice=year").status_code == 400
    assert count_renders == []


def test_a_known_etag_is_answered_304_before_anything_is_built(monkeypatch, count_renders):
    client = create_app({"TESTING": True}).test_client()
    paths = ("/download.geojson?category=custody", "/download.csv", "/export?title=x", "/map")
    etags = {path: client.get(path).headers["ETag"] for path in paths}
    gzipped = client.get(paths[0], headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    count_renders.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("built a body for a client that has it")

    monkeypatch.setattr(formats, "feature_pieces", refuse)
    monkeypatch.setattr(formats, "_csv_rows", refuse)
    for path, etag in [*etags.items(), (paths[0], gzipped)]:
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304, path
        assert response.headers["ETag"] == etag
    assert count_renders == []


def test_an_etag_names_the_view_not_the_free_text(client):
    first = client.get("/download.geojson?start=2022-01-06&title=a").headers["ETag"]
    assert client.get("/download.geojson?start=2022-01-06&title=b").headers["ETag"] == first
    assert client.get("/download.geojson?start=2022-01-07").headers["ETag"] != first
    assert client.get("/export?title=a").headers["ETag"] != client.get("/export").headers["ETag"]


def test_a_full_gate_answers_503_with_retry_after_and_quick_requests_still_flow(
    synthetic_folder,
):
    app = create_app(
        {
            "TESTING": True,
            "DATA_PATH": str(synthetic_folder),
            "HEAVY_SLOTS": 1,
            "HEAVY_QUEUE": 0,
            "HEAVY_WAIT": 3,
        }
    )
    client = app.test_client()
    held = client.get("/download.geojson", buffered=False)  # being sent: holds the slot
    assert held.status_code == 200 and held.is_streamed
    for path in (
        "/download.csv",
        "/export?title=x",
        "/?q=a",
        "/ogc/collections/events/items?limit=5000",
    ):
        busy = client.get(path, headers={"Accept": "application/json"})
        assert busy.status_code == 503, path
        assert busy.headers["Retry-After"] == "3"
        assert orjson.loads(busy.data)["code"] == "ServiceUnavailable"
    items = client.get("/ogc/collections/events/items?limit=100")
    assert items.status_code == 200
    assert len(orjson.loads(items.data)["features"]) == 100
    assert len(orjson.loads(held.get_data())["features"]) == 5000
    held.close()
    assert client.get("/download.csv").status_code == 200


def test_heavy_bodies_give_way_while_quick_requests_are_answered():
    traffic = Traffic()
    started = time.monotonic()
    traffic.give_way(0.5)
    assert time.monotonic() - started < 0.05  # nobody waiting: no pause
    traffic.add(1)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: (time.sleep(0.15), traffic.add(-1)))
        started = time.monotonic()
        traffic.give_way(2)
        assert 0.1 < time.monotonic() - started < 1  # until the quick one is done
    traffic.add(1)
    started = time.monotonic()
    traffic.give_way(0.2)
    assert 0.15 < time.monotonic() - started < 0.5  # never longer than asked


def test_only_quick_requests_are_counted(synthetic_folder):
    app = create_app({"TESTING": True, "DATA_PATH": str(synthetic_folder)})
    traffic = app.extensions[TRAFFIC]
    client = app.test_client()
    with client.get("/download.csv", buffered=False) as download:
        assert traffic.quick == 0  # a heavy body being sent is not a quick request
        assert client.get("/ogc/collections/events/items?limit=5").status_code == 200
        download.get_data()
    assert client.get("/ogc/nope").status_code == 404
    assert traffic.quick == 0
