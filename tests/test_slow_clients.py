"""Idle and trickling connections cannot lock visitors out of a real `almaty-map serve`:
hundreds of them are accepted (poll, not select; a connection limit well above them) and
an idle one is closed after the channel timeout, while normal requests are answered at
once. Production sites put a reverse proxy in front as well (README)."""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
import urllib.request

import pytest

from harness.serving import running

pytestmark = pytest.mark.server
IDLE = 200
TRICKLING = 20
REQUEST = b"GET /ogc/collections/events/items?limit=10 HTTP/1.1\r\nHost: x\r\n\r\n"


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=15) as response:
        assert response.status == 200
        response.read()
    return time.perf_counter() - started


@contextlib.contextmanager
def tricklers(address: tuple[str, int], count: int):
    """``count`` connections each sending a request a byte at a time, slowly."""
    stop = threading.Event()
    sockets = [socket.create_connection(address) for _ in range(count)]

    def trickle() -> None:
        for position in range(len(REQUEST) - 1):  # never quite finished
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.send(REQUEST[position : position + 1])
            if stop.wait(0.2):
                return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def test_a_slow_client_flood_leaves_requests_answered_promptly(tmp_path):
    args = ("--channel-timeout", "3")
    with running(*args, log=tmp_path / "serve.log") as server:
        address = ("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
        items = server.url + "/ogc/collections/events/items?limit=10"
        idle = [socket.create_connection(address) for _ in range(IDLE)]
        try:
            with tricklers(address, TRICKLING):
                time.sleep(1)
                latencies = [timed_get(items) for _ in range(30)]
            assert max(latencies) < 1.0, latencies
            assert statistics.median(latencies) < 0.1, latencies
            # The idle ones are closed once the channel timeout has passed.
            time.sleep(7)
            closed = sum(1 for sock in idle[:20] if _closed_by_server(sock))
            assert closed == 20
        finally:
            for sock in idle:
                sock.close()


def _closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(2)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
