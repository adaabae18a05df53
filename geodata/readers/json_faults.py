"""Where a JSON file the streaming parser rejected is broken, or its whole parse.

ijson stops at a fault without saying where in lines; orjson does say, but holds the whole
file. So a file up to WHOLE_PARSE_BYTES is parsed whole, and a larger one is located to the
range of lines of the parser's last buffer, counted without holding the file.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import orjson

from almaty_map.geodata.errors import Problem

# Up to this size a file the streaming parser rejects is parsed whole (see parse_whole).
WHOLE_PARSE_BYTES = 64 * 1024 * 1024
PARSER_BUFFER = 64 * 1024  # ijson's read size


def fault_between(handle: BinaryIO, file: str, fault: Exception, read_to: int) -> Problem:
    """The streaming parser reads PARSER_BUFFER bytes at a time, so the fault lies in the
    last buffer it read: count the lines up to either end of it."""
    first = 1 + _newlines(handle, 0, max(0, read_to - PARSER_BUFFER))
    last = first + _newlines(handle, max(0, read_to - PARSER_BUFFER), read_to)
    reason = str(fault).strip().splitlines()[0] if str(fault).strip() else type(fault).__name__
    if "integer overflow" in reason:
        reason = "a number too large to read (an integer beyond 64 bits)"
    return Problem(file, f"is not valid JSON between line {first:,} and line {last:,}: {reason}")


def _newlines(handle: BinaryIO, start: int, stop: int) -> int:
    """Newlines in a byte range of a file, read in blocks so a large file is never held."""
    count = 0
    handle.seek(start)
    remaining = stop - start
    while remaining > 0 and (block := handle.read(min(remaining, 2**24))):
        count += block.count(b"\n")
        remaining -= len(block)
    return count


def parse_whole(handle: BinaryIO, file: str) -> dict | Problem:
    """Parse a file the streaming parser gave up on, whole, with orjson.

    Either the JSON is broken, and orjson knows the line and column of the fault, or it is
    valid JSON the streaming parser cannot hold (an integer beyond 64 bits), and its
    features are checked like any others.
    """
    handle.seek(0)
    data = handle.read(os.fstat(handle.fileno()).st_size)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as fault:
        return Problem(
            file, f"is not valid JSON: {fault.msg}", line=fault.lineno, column=fault.colno
        )
    if isinstance(doc, dict):
        return doc
    return Problem(
        file,
        "is not a GeoJSON FeatureCollection",
        found=f"a JSON {type(doc).__name__}",
        expected="an object with type 'FeatureCollection'",
    )
