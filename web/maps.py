"""Rendered maps for the views, cached per content (dataset, events shown, slices, language,
mode) whatever the title or the filter that found the events.

The reader's page embeds the map's parts (assets linked under /assets/), /map serves the
whole page the same way, and /export serves the standalone page exactly as `almaty-map
export` writes it. Each is rendered once per view with its title left out
(maprender.titled), kept with its pieces ready for gzip (web.gzipped), and given a title
per request: a thousand titles cost one render. Each comes with the CSP hashes of its
inline code, which the title never reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, request

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.source import Source
from almaty_map.maprender.build import MapContent, MapSpec, build_map, export_template
from almaty_map.maprender.document import (
    MapParts,
    render_page,
    render_parts,
    script_hashes,
    style_hashes,
)
from almaty_map.maprender.titled import TitledDocument, escaped_title, render_untitled, untitled
from almaty_map.web.gzipped import Piece, pack

READER_CHROME = {"about": False, "list": False, "headingLevel": 2}
AROUND = ("head", "script", "tail")


@dataclass(frozen=True)
class Rendered:
    """A render every title shares: the document between its title slots (each piece also
    deflated), what its CSP must allow, and for the reader's page the parts around the
    body."""

    document: TitledDocument
    packed: tuple[Piece, ...]
    scripts: list[str]
    styles: list[str]
    around: dict[str, Piece] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return sum(p.weight for p in (*self.packed, *self.around.values()))

    def body(self, title: str) -> list[Piece]:
        """The document with ``title`` put in, as pieces; only the title is compressed."""
        out = [self.packed[0]]
        for slot, piece in zip(self.document.slots, self.packed[1:], strict=True):
            out += [pack(escaped_title(title, slot)), piece]
        return out


def _rendered(document: TitledDocument, parts: MapParts | None = None) -> Rendered:
    """A render with its pieces deflated; for the reader's page, the parts around the body
    too (its head tags, start script and details block: ``around``, by MapParts field)."""
    packed = tuple(pack(p) for p in document.pieces)
    if parts is None:
        scripts = sorted({h for p in document.pieces for h in script_hashes(p)})
        styles = sorted({h for p in document.pieces for h in style_hashes(p)})
        return Rendered(document, packed, scripts, styles)
    scripts = script_hashes(f"<script>{parts.script}</script>")
    around = {name: pack(getattr(parts, name).encode()) for name in AROUND}
    return Rendered(document, packed, scripts, style_hashes(parts.head), around)


def _cached(key: tuple, make: Callable[[], Rendered]) -> Rendered:
    return current_app.extensions["almaty_map_renders"].get(key, make)


def asset_base() -> str:
    return request.script_root + "/assets"


def reader_parts(dataset: Dataset | Source, spec: MapSpec, content: MapContent) -> Rendered:
    """The map for the reader's page; its body holds the title (in the data block)."""
    base = asset_base()
    spec = untitled(spec)

    def make() -> Rendered:
        made: list[MapParts] = []

        def body(titled: MapSpec) -> bytes:
            made.append(render_parts(build_map(dataset, titled, base, READER_CHROME)))
            return made[0].body.encode()

        return _rendered(render_untitled(spec, body, 1), made[0])

    return _cached(("parts", content.key, base), make)


def embed_page(dataset: Dataset | Source, spec: MapSpec, content: MapContent) -> Rendered:
    base = asset_base()
    spec = untitled(spec)

    def make() -> Rendered:
        page = render_untitled(spec, lambda s: render_page(build_map(dataset, s, base)), 2)
        return _rendered(page)

    return _cached(("embed", content.key, base), make)


def export_document(dataset: Dataset | Source, spec: MapSpec, content: MapContent) -> Rendered:
    spec = untitled(spec)
    return _cached(("export", content.key), lambda: _rendered(export_template(dataset, spec)))
