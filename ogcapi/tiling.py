"""The names OGC API - Tiles gives what this API serves (for the documents that announce it)."""

from __future__ import annotations

MVT = "application/vnd.mapbox-vector-tile"
SCHEME = "WebMercatorQuad"
SCHEME_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MERCATOR_CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILING_SCHEME_REL = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
TILING_SCHEMES_REL = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
CONFORMANCE = tuple(
    f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{name}"
    for name in ("core", "tileset", "tilesets-list", "geodata-tilesets", "datetime", "mvt")
)
