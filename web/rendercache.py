"""Rendered maps and exports, kept per (dataset, view) in a memory budget, each rendered once.

Rendering a map for 100,000 events takes seconds and its text is tens of MB, so the cache
is bounded by size, not count (cachetools' LRU with the text length as the weight). The
dataset's fingerprint is part of every key, so a reload never serves a stale map.

Concurrent requests for a view that is not cached share one render (single flight): the
first renders, the others wait for its result (or its error) instead of rendering the same
map again side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


def _weight(value: object) -> int:
    size = getattr(value, "weight", None)
    if size is not None:
        return int(size)
    return len(value) if isinstance(value, str | bytes) else 1024


class _Flight(Generic[T]):
    """One render in progress, and what it came to."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def finish(self, value: T | None, error: BaseException | None) -> None:
        self._value, self._error = value, error
        self._done.set()

    def result(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class RenderCache:
    def __init__(self, max_bytes: int):
        self._cache: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=_weight)
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached value, or ``make()``'s result: rendered outside the lock (one slow
        render does not stall the others) and once for all who ask meanwhile."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            flight = self._flights.get(key)
            leading = flight is None
            if leading:
                flight = self._flights[key] = _Flight()
        if not leading:
            return flight.result()
        value, error = None, None
        try:
            value = make()
        except BaseException as exc:
            error = exc
        with self._lock:
            del self._flights[key]
            if error is None and _weight(value) <= self._cache.maxsize:
                self._cache[key] = value
        flight.finish(value, error)
        if error is not None:
            raise error
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
