"""A rendered map with its title left out, to be put in per request.

The title is free text (``?title=`` on /export, /map and the reader's page), so rendering
the whole map for each title would let anyone make the server render without end. A map is
therefore rendered once with a random stand-in for the title and cut where the stand-in
landed: in the page's ``<title>`` (HTML-escaped) and in the data block's ``dataset.title``
(JSON, escaped for HTML). Putting a title in joins the pieces with the title escaped the same
way the full render would have escaped it, so the bytes are the same as rendering with the
title (tests/test_titled.py holds both paths to that).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import orjson
from markupsafe import escape

from almaty_map.maprender.payload import html_safe

Spec = TypeVar("Spec")

HTML_SLOT = "html"
JSON_SLOT = "json"
_BEFORE = {HTML_SLOT: b"<title>", JSON_SLOT: b'"dataset":{"title":"'}


def escaped_title(title: str, slot: str) -> bytes:
    """The title as the full render writes it in a slot of that kind."""
    if slot == HTML_SLOT:
        return str(escape(title)).encode()
    return html_safe(orjson.dumps(title))[1:-1]


@dataclass(frozen=True)
class TitledDocument:
    """A document cut at its title slots: ``pieces`` has one more entry than ``slots``."""

    pieces: tuple[bytes, ...]
    slots: tuple[str, ...]

    def parts(self, title: str) -> list[bytes]:
        """The document's bytes with ``title`` in every slot, as pieces (not joined, so a
        large map is not copied per request)."""
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += [escaped_title(title, slot), piece]
        return out

    def render(self, title: str) -> bytes:
        return b"".join(self.parts(title))


def untitled(spec: Spec) -> Spec:
    """The map spec without its title: what a render depends on."""
    return replace(spec, title=None)


def render_untitled(spec: Spec, render: Callable[[Spec], bytes], slots: int) -> TitledDocument:
    """Render ``spec`` with a stand-in title and cut the result at it. ``render`` turns a
    spec into bytes; ``slots`` is how many places the title must land (a count that differs
    means the stand-in was not where the title goes, and the document is not used)."""
    stand_in = "almaty-map-title-" + secrets.token_hex(16)
    document = render(replace(spec, title=stand_in))
    pieces = document.split(stand_in.encode())
    kinds = tuple(_slot_kind(piece) for piece in pieces[:-1])
    if len(kinds) != slots:
        raise RuntimeError(f"the title landed in {len(kinds)} places, not {slots}")
    return TitledDocument(tuple(pieces), kinds)


def _slot_kind(before: bytes) -> str:
    for kind, tail in _BEFORE.items():
        if before.endswith(tail):
            return kind
    raise RuntimeError(f"the title landed after {before[-40:]!r}, not in a known slot")
