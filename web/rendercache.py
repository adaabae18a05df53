"""Rendered maps and exports, kept per (dataset, view) in a memory budget.

Rendering a map for 100,000 events takes a second or more and its text is tens of MB, so the
cache is bounded by size, not count (cachetools' LRU with the text length as the weight).
The dataset's fingerprint is part of every key, so a reload never serves a stale map.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache

T = TypeVar("T")


def _weight(value: object) -> int:
    size = getattr(value, "weight", None)
    if size is not None:
        return int(size)
    return len(value) if isinstance(value, str | bytes) else 1024


class RenderCache:
    def __init__(self, max_bytes: int):
        self._cache: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=_weight)
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached value, or ``make()``'s result (rendered outside the lock, so one slow
        render does not stall the others)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if _weight(value) <= self._cache.maxsize:
                self._cache[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
