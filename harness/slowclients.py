"""Slow clients for tests and benchmarks: connections that stay open and send nothing,
and connections that send a request a byte at a time and never finish it."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

REQUEST = b"GET /ogc/collections/events/items?limit=10 HTTP/1.1\r\nHost: x\r\n\r\n"


@contextlib.contextmanager
def idle(address: tuple[str, int], count: int) -> Iterator[list[socket.socket]]:
    """``count`` open connections that send nothing."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(socket.create_connection(address, timeout=10))
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


@contextlib.contextmanager
def trickling(address: tuple[str, int], count: int, interval: float = 0.2) -> Iterator[None]:
    """``count`` connections each sending a request one byte every ``interval`` seconds,
    never the last one."""
    stop = threading.Event()

    def trickle(sockets: list[socket.socket]) -> None:
        for position in range(len(REQUEST) - 1):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.send(REQUEST[position : position + 1])
            if stop.wait(interval):
                return

    with idle(address, count) as sockets:
        thread = threading.Thread(target=trickle, args=(sockets,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def closed_by_server(sock: socket.socket, wait: float = 2) -> bool:
    """Whether the server has closed this connection (read end of file or a reset)."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
