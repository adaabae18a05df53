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
