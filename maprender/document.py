"""Rendering a built map: a whole standalone page, or the parts a Jinja page embeds."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from dataclasses import dataclass

from maprender.elements import MapFigure

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@dataclass(frozen=True)
class MapParts:
    """What a page needs to embed the map: head tags, body markup, and the start script."""

    head: str
    body: str
    script: str


def render_page(figure: MapFigure) -> str:
    """The standalone HTML page; identical input gives identical text."""
    return figure.render()


def render_parts(figure: MapFigure) -> MapParts:
    figure.render()
    return MapParts(figure.header.render(), figure.html.render(), figure.script.render())


def _hashes(pattern: re.Pattern, document: str) -> list[str]:
    return sorted({
        "'sha256-" + b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in pattern.findall(document)
    })


def script_hashes(document: str) -> list[str]:
    """CSP source expressions for every inline script (attribute-less <script>) in a page we
    rendered, so the page can run under a Content-Security-Policy without 'unsafe-inline'.
    Only our own markup is scanned: data reaches scripts escaped (no literal </script>)."""
    return _hashes(_INLINE_SCRIPT, document)


def style_hashes(document: str) -> list[str]:
    """The same for inline <style> blocks."""
    return _hashes(_INLINE_STYLE, document)
