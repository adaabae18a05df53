"""ETags known before a body exists, and the 304 answered without building it.

A download or a map is a function of the program, the dataset and the normalised view, so
its ETag is a digest of those three: a client that already has the body is answered 304
before anything is selected, rendered or compressed. ``code_version`` stands for the program:
a digest of every file that shapes what the server writes, so an upgrade never answers 304
for a body the new code would write differently.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Response, request

from almaty_map.maprender.assets import ASSETS, asset_text

PACKAGE = Path(__file__).parents[1]
SHAPING = ("geodata", "language", "maprender", "ogcapi", "templates", "web")
SUFFIXES = {".py", ".js", ".css", ".html", ".mo", ".json"}


@cache
def code_version() -> str:
    digest = hashlib.sha256()
    for folder in SHAPING:
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                digest.update(path.relative_to(PACKAGE).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for asset in ASSETS:  # Leaflet comes from another package
        digest.update(asset_text(asset.name).encode())
    return digest.hexdigest()[:16]


def view_etag(*parts: object) -> str:
    """A strong validator for a body made from ``parts`` (their repr must be stable: the
    dataset's fingerprint, frozen dataclasses, strings)."""
    text = repr((code_version(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cacheable(response: Response, max_age: int) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def not_modified(etag: str, max_age: int) -> Response | None:
    """304 if the request's If-None-Match names this body, plain or gzip-encoded."""
    tags = request.if_none_match
    for candidate in (etag, f"{etag}:gzip"):
        if tags.contains_weak(candidate):
            response = Response(status=304)
            response.set_etag(candidate)
            return cacheable(response, max_age)
    return None
