"""A bound on heavy work (downloads, renders and exports of many events, large API pages), so
cheap requests keep flowing.

Every waitress thread busy with a 100,000-event download or render is a thread that cannot
answer an items request in 10 ms. Heavy requests therefore take a slot first: at most
``slots`` run at once and at most ``queue`` wait for one, each for at most ``wait`` seconds.
The rest are answered 503 with Retry-After at once, never left hanging. A slot is held
until the response's body has been sent (a streamed download works while it is read) and
given back when waitress closes the body, or when the response is dropped unsent.

Python runs one thread at a time (the GIL), so a download writing features competes with
every quick request for it. Heavy bodies therefore give way: between two batches they wait
while quick requests are being answered (at most GIVE_WAY seconds per batch, so they still
progress under a stream of quick ones).
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator

from flask import Flask, Response, current_app, g

EXTENSION = "almaty_map_heavy"
TRAFFIC = "almaty_map_traffic"
# A request that writes or renders more events than this is heavy: about 0.1 s of work.
HEAVY_EVENTS = 1000
GIVE_WAY = 0.05  # the longest a heavy body waits for quick requests between two batches


class BusyError(Exception):
    """Every slot is taken and the queue is full (or the wait ran out)."""

    def __init__(self, retry_after: int):
        super().__init__(f"busy: retry after {retry_after} s")
        self.retry_after = retry_after


class Slot:
    """One taken slot; giving it back twice gives it back once."""

    def __init__(self, semaphore: threading.Semaphore):
        self._semaphore = semaphore
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._semaphore.release()


class HeavyGate:
    def __init__(self, slots: int, queue: int, wait: float):
        if slots < 1 or queue < 0 or wait < 0:
            raise ValueError(
                f"heavy work needs slots >= 1, queue >= 0, wait >= 0, got {slots}, {queue}, {wait}"
            )
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0
        self.queue = queue
        self.wait = wait

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))

    def enter(self) -> Slot:
        """A slot, or BusyError: at once when the queue is full, after ``wait`` otherwise."""
        if self._semaphore.acquire(blocking=False):
            return Slot(self._semaphore)
        with self._lock:
            if self._waiting >= self.queue:
                raise BusyError(self.retry_after)
            self._waiting += 1
        try:
            taken = self._semaphore.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not taken:
            raise BusyError(self.retry_after)
        return Slot(self._semaphore)


class Traffic:
    """How many quick requests are being answered right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.quick = 0

    def add(self, change: int) -> None:
        with self._lock:
            self.quick += change

    def give_way(self, most: float = GIVE_WAY) -> None:
        deadline = time.monotonic() + most
        while self.quick > 0 and time.monotonic() < deadline:
            time.sleep(0.001)


def install(app: Flask) -> None:
    app.extensions[EXTENSION] = HeavyGate(
        int(app.config["HEAVY_SLOTS"]),
        int(app.config["HEAVY_QUEUE"]),
        float(app.config["HEAVY_WAIT"]),
    )
    traffic = app.extensions[TRAFFIC] = Traffic()

    @app.before_request
    def count_quick() -> None:
        g.quick = True
        traffic.add(1)

    @app.teardown_request
    def uncount_quick(_error: BaseException | None) -> None:
        if g.pop("quick", False):
            traffic.add(-1)


def heavy(build: Callable[[], Response], events: int) -> Response:
    """``build()``'s response, built and sent inside a slot when it writes or renders more
    than HEAVY_EVENTS events (smaller ones cost no more than an API page); a streamed body
    gives way to quick requests between its batches."""
    if events <= HEAVY_EVENTS:
        return build()
    slot = current_app.extensions[EXTENSION].enter()
    traffic = current_app.extensions[TRAFFIC]
    if g.pop("quick", False):
        traffic.add(-1)
    try:
        response = build()
    except BaseException:
        slot.release()
        raise
    if response.is_streamed:
        response.response = _giving_way(response.response, traffic)
    response.call_on_close(slot.release)
    weakref.finalize(response, slot.release)  # a response replaced or dropped unsent
    return response


def _giving_way(chunks: Iterable[bytes], traffic: Traffic) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk
        traffic.give_way()
