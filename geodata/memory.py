"""Giving memory back to the system after a load.

Parsing and checking a large file leaves megabytes of freed memory that glibc's allocator and
Arrow's memory pool keep for the process (malloc_trim and release_unused return it), so
without this a server that loaded 100,000 events would keep a few hundred MB it no longer
uses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pyarrow as pa


@cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return library if library is not None and hasattr(library, "malloc_trim") else None


def release_memory(collect: bool = True) -> None:
    """Return freed memory to the system; ``collect`` first runs the garbage collector."""
    if collect:
        gc.collect()
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a load without the cyclic garbage collector, and collect once at the end.

    Parsed features hold no reference cycles, so the collection that every few hundred new
    containers trigger finds nothing to free; each one still walks the objects alive, and
    while a chunk of 10,000 parsed features is alive that cost about a sixth of a load.
    (The switch is process-wide: other threads go without it for those seconds, freeing
    what they drop by reference counting as always.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
