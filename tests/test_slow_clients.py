"""Idle and trickling connections cannot lock visitors out of a real `almaty-map serve`:
hundreds of them are accepted (poll, not select; a connection limit well above them) and
an idle one is closed after the channel timeout, while normal requests are answered at
once. Production sites put a reverse proxy in front as well (README)."""

from __future__ import annotations

import socket
import statistics
import time
import urllib.request

import pytest

from harness.serving import running
from harness.slowclients import closed_by_server, idle, trickling

pytestmark = pytest.mark.server


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=15) as response:
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


def test_a_slow_client_flood_leaves_requests_answered_promptly(tmp_path):
    with running("--channel-timeout", "3", log=tmp_path / "serve.log") as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        items = server.url + "/ogc/collections/events/items?limit=10"
        with idle(address, 200) as sockets:
            with trickling(address, 20):
                time.sleep(1)
                latencies = [timed_get(items) for _ in range(30)]
            assert max(latencies) < 1.0, latencies
            assert statistics.median(latencies) < 0.1, latencies
            time.sleep(7)  # past the channel timeout: the idle ones are closed
            assert all(closed_by_server(sock) for sock in sockets[:20])


def test_oversized_requests_are_refused_before_they_are_read(tmp_path):
    with running(log=tmp_path / "serve.log") as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        with socket.create_connection(address, timeout=10) as sock:
            sock.sendall(
                b"POST /ogc HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
                + b"x" * 100_000
            )
            assert sock.recv(100).split(b" ")[1] == b"413"
        with socket.create_connection(address, timeout=10) as sock:
            sock.sendall(b"GET /ogc HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 100_000 + b"\r\n\r\n")
            assert sock.recv(100).split(b" ")[1] == b"431"
