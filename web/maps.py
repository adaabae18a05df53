"""Rendered map artifacts for the views, cached per (dataset, view, language).

The reader's page embeds the map's parts (assets linked under /assets/), /map serves the
whole page the same way, and /export serves the standalone page exactly as
`almaty-map export` writes it. Each comes with the CSP hashes of its inline code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app, request

from almaty_map.geodata.dataset import Dataset
from almaty_map.maprender.build import MapSpec, build_map, export_page
from almaty_map.maprender.document import (
    MapParts,
    render_page,
    render_parts,
    script_hashes,
    style_hashes,
)

READER_CHROME = {"about": False, "list": False, "headingLevel": 2}


@dataclass(frozen=True)
class Rendered:
    """A rendered page or embeddable parts, with what its CSP must allow."""

    html: str | bytes
    scripts: list[str]
    styles: list[str]
    parts: MapParts | None = None

    @property
    def weight(self) -> int:
        extra = (
            0
            if self.parts is None
            else sum(map(len, (self.parts.head, self.parts.body, self.parts.script)))
        )
        return len(self.html) + extra

    @property
    def etag(self) -> str:
        data = self.html.encode() if isinstance(self.html, str) else self.html
        return hashlib.sha256(data).hexdigest()[:32]


def _cache():
    return current_app.extensions["almaty_map_renders"]


def _asset_base() -> str:
    return request.script_root + "/assets"


def reader_parts(dataset: Dataset, spec: MapSpec) -> Rendered:
    base = _asset_base()

    def make() -> Rendered:
        parts = render_parts(build_map(dataset, spec, asset_base=base, chrome=READER_CHROME))
        code = f"<script>{parts.script}</script>"
        return Rendered(parts.body, script_hashes(code), style_hashes(parts.head), parts)

    return _cache().get((dataset.fingerprint, "parts", spec, base), make)


def embed_page(dataset: Dataset, spec: MapSpec) -> Rendered:
    base = _asset_base()

    def make() -> Rendered:
        html = render_page(build_map(dataset, spec, asset_base=base))
        return Rendered(html, script_hashes(html), style_hashes(html))

    return _cache().get((dataset.fingerprint, "embed", spec, base), make)


def export_document(dataset: Dataset, spec: MapSpec) -> Rendered:
    def make() -> Rendered:
        html = export_page(dataset, spec)
        return Rendered(html, [], [])

    return _cache().get((dataset.fingerprint, "export", spec), make)
