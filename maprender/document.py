"""Rendering a built map: a whole standalone page, or the parts a Jinja page embeds."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from dataclasses import dataclass

from almaty_map.maprender.elements import MapFigure

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)


@dataclass(frozen=True)
class MapParts:
    """What a page needs to embed the map: head tags, body markup, and the start script."""

    head: str
    body: str
    script: str
    tail: str = ""


def _splice(figure: MapFigure, page: bytes) -> bytes:
    for marker, data in figure.data_blocks.items():
        page = page.replace(marker.encode(), data, 1)
    return page


def render_page(figure: MapFigure) -> bytes:
    """The whole HTML page as UTF-8; identical input gives identical bytes. A standalone
    page (every asset inlined) gets its own Content-Security-Policy."""
    page = _splice(figure, figure.render().encode("utf-8"))
    if figure.standalone:
        page = page.replace(figure.policy_marker.encode(), standalone_policy_meta(figure, page), 1)
    return page


def standalone_policy_meta(figure: MapFigure, page: bytes) -> bytes:
    """A <meta> policy for a page published anywhere (a CMS, a file on disk): its own inline
    scripts and styles by hash, images from its tile hosts and data: URIs, and nothing
    else: no other script, no connection, no form, no plugin. It works from file:// too,
    since nothing it allows depends on the page's own origin."""
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(script_hashes(page)),
            "style-src " + " ".join(style_hashes(page)),
            "img-src data: " + " ".join(figure.image_sources),
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'.encode()


def render_parts(figure: MapFigure) -> MapParts:
    figure.render()
    body = _splice(figure, figure.html.render().encode("utf-8")).decode("utf-8")
    tail = _splice(figure, figure.tail.encode("utf-8")).decode("utf-8")
    return MapParts(figure.header.render(), body, figure.script.render(), tail)


def _hashes(pattern: re.Pattern, document: str | bytes) -> list[str]:
    data = document.encode() if isinstance(document, str) else document
    return sorted(
        {
            "'sha256-" + b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in pattern.findall(data)
        }
    )


def script_hashes(document: str | bytes) -> list[str]:
    """CSP source expressions for every inline script (attribute-less <script>) in a page we
    rendered, so the page can run under a Content-Security-Policy without 'unsafe-inline'.
    Only our own markup is scanned: data reaches scripts escaped (no literal </script>)."""
    return _hashes(_INLINE_SCRIPT, document)


def style_hashes(document: str | bytes) -> list[str]:
    """The same for inline <style> blocks."""
    return _hashes(_INLINE_STYLE, document)
