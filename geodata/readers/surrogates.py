"""Lone UTF-16 surrogates in JSON text (``"\\ud800"``): half a character, which the streaming
parser silently turns into "?".

JSON writes a character outside the Basic Multilingual Plane as a pair of escapes
(``\\ud83d\\ude00``); one half alone is not a character, cannot be stored as text, and must be
reported, not replaced. So a file that has any surrogate escape is read through ``Marked``,
which rewrites each lone one into ``\\ufdd0`` (a noncharacter Unicode sets aside for a
program's internal use, and the same six bytes long, so lines and columns do not move), and
the reader reports every string that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

MARK = "\ufdd0"
# Any escape that may be half of a pair: cheap to look for in the raw bytes.
ANY_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# Each escape, read left to right from a backslash, so "\\\\ud800" (an escaped backslash,
# then text) is told from "\\ud800": a pair, a lone half, or any other escape.
_ESCAPE = re.compile(
    rb"\\(?:(u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(u[dD][89a-fA-F][0-9a-fA-F]{2})|[\s\S])"
)
_LONGEST = 12  # a pair's length: an escape starting nearer the end may be cut off
_MARKED = rb"\ufdd0"


def _mark(match: re.Match) -> bytes:
    return _MARKED if match.group(2) else match.group(0)


class Marked:
    """A binary file as the parser reads it, with lone surrogate escapes marked."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.pending = b""  # read but not yet passed on: a tail that may end mid-escape
        self.ready = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.ready) < size:
            block = self.handle.read(65536 if size < 0 else max(size, 65536))
            if not block:
                self.ready += _ESCAPE.sub(_mark, self.pending)
                self.pending = b""
                break
            self._take(self.pending + block)
        if size < 0:
            size = len(self.ready)
        out, self.ready = self.ready[:size], self.ready[size:]
        return out

    def tell(self) -> int:
        """How far into the file the parser has been given bytes (for locating a fault)."""
        return self.handle.tell() - len(self.pending) - len(self.ready)

    def _take(self, data: bytes) -> None:
        """Pass on ``data`` up to a point no escape crosses; keep the rest."""
        cut = max(0, len(data) - _LONGEST)
        for match in _ESCAPE.finditer(data):
            if match.start() >= cut:
                break
            if match.end() > cut:
                cut = match.start()
                break
        self.ready += _ESCAPE.sub(_mark, data[:cut])
        self.pending = data[cut:]


def marked_paths(value: object, path: str = "") -> Iterator[str]:
    """Where in a parsed value (keys included) a marked lone surrogate lies, as a field
    path: ``title``, ``sources[0].quote`` (in a key, shown as the replacement character)."""
    if isinstance(value, str):
        if MARK in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key).replace(MARK, "\ufffd")
            where = f"{path}.{name}" if path else name
            if MARK in str(key):
                yield where
            yield from marked_paths(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from marked_paths(item, f"{path}[{i}]")
