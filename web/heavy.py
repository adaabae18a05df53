"""A bound on heavy work (downloads, renders and exports of many events, large API pages), so
cheap requests keep flowing.

Every waitress thread busy with a 100,000-event download or render is a thread that cannot
answer an items request in 10 ms. Heavy requests therefore take a slot first: at most
``slots`` run at once and at most ``queue`` wait for one, each for at most ``wait`` seconds.
The rest are answered 503 with Retry-After at once, never left hanging. A slot is held
until the response's body has been sent (a streamed download works while it is read) and
given back when waitress closes the body, or when the response is dropped unsent.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable

from flask import Response, current_app

EXTENSION = "almaty_map_heavy"
# A request that writes or renders more events than this is heavy: about 0.1 s of work.
HEAVY_EVENTS = 1000


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


def install(app) -> None:
    app.extensions[EXTENSION] = HeavyGate(
        int(app.config["HEAVY_SLOTS"]),
        int(app.config["HEAVY_QUEUE"]),
        float(app.config["HEAVY_WAIT"]),
    )


def heavy(build: Callable[[], Response], events: int) -> Response:
    """``build()``'s response, built and sent inside a slot when it writes or renders more
    than HEAVY_EVENTS events (smaller ones cost no more than an API page)."""
    if events <= HEAVY_EVENTS:
        return build()
    slot = current_app.extensions[EXTENSION].enter()
    try:
        response = build()
    except BaseException:
        slot.release()
        raise
    response.call_on_close(slot.release)
    weakref.finalize(response, slot.release)  # a response replaced or dropped unsent
    return response
