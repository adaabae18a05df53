"""The OpenAPI description of OGC API - Tiles' paths (ogcapi.tiles), for /openapi.

The tiling scheme's documents are served whatever the backend; the events' tilesets and
tiles only when a database builds them, so only then are they described (a client that
reads the definition must not be sent to paths that answer 404).
"""

from __future__ import annotations

from almaty_map.geodata.timebounds import INTERVAL_EXPECTED
from almaty_map.ogcapi.documents import JSON, parameter
from almaty_map.ogcapi.tiles import FEATURE_PROPERTIES, MAX_ZOOM, TILE_FORMATS
from almaty_map.ogcapi.tiling import MVT, SCHEME

ERROR = {"$ref": "#/components/schemas/error"}


def tile_paths(category_ids: tuple[str, ...], timezone: str, with_tiles: bool) -> dict:
    """The paths to add to the API's definition: the scheme's always, the tiles' when
    ``with_tiles``."""
    f = parameter("f", "Response format.", {"type": "string", "enum": ["json"]})
    scheme = parameter(
        "tileMatrixSetId", "The tiling scheme.", {"type": "string", "enum": [SCHEME]}, where="path"
    )
    paths = {
        "/tileMatrixSets": _get("The tiling schemes", [f], JSON),
        "/tileMatrixSets/{tileMatrixSetId}": _get("One tiling scheme", [scheme, f], JSON),
    }
    if not with_tiles:
        return paths
    collection = parameter(
        "collectionId",
        "Only events have tiles.",
        {"type": "string", "enum": ["events"]},
        where="path",
    )
    tiles = "/collections/{collectionId}/tiles"
    return {
        **paths,
        tiles: _get("The collection's tilesets", [collection, f], JSON),
        f"{tiles}/{{tileMatrixSetId}}": _get("One tileset", [collection, scheme, f], JSON),
        f"{tiles}/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": _get(
            "One vector tile of the events (Mapbox Vector Tile; empty where none are)",
            [collection, scheme, *_address(), *_filters(category_ids, timezone)],
            MVT,
        ),
    }


def _address() -> list[dict]:
    whole = {"type": "integer", "minimum": 0}
    return [
        parameter("tileMatrix", "The zoom level.", {**whole, "maximum": MAX_ZOOM}, where="path"),
        parameter("tileRow", "The row, from the top: 0 to 2^tileMatrix - 1.", whole, where="path"),
        parameter(
            "tileCol", "The column, from the left: 0 to 2^tileMatrix - 1.", whole, where="path"
        ),
    ]


def _filters(category_ids: tuple[str, ...], timezone: str) -> list[dict]:
    return [
        parameter("f", "Tile format.", {"type": "string", "enum": list(TILE_FORMATS)}),
        parameter(
            "datetime",
            f"Only events whose time span overlaps this: {INTERVAL_EXPECTED}. A bare date "
            f"is a whole day in the dataset's timezone ({timezone}).",
            {"type": "string"},
        ),
        {
            **parameter(
                "category",
                "Events in these categories (repeat the parameter or separate ids with "
                "commas): " + ", ".join(category_ids),
                {"type": "array", "items": {"type": "string", "enum": list(category_ids)}},
            ),
            "style": "form",
            "explode": True,
        },
        {
            **parameter(
                "properties",
                "Only these properties on each feature (separated by commas; all by "
                "default): " + ", ".join(FEATURE_PROPERTIES),
                {"type": "array", "items": {"type": "string", "enum": list(FEATURE_PROPERTIES)}},
            ),
            "style": "form",
            "explode": False,
        },
    ]


def _get(summary: str, params: list[dict], content: str) -> dict:
    body = {"type": "object"} if content == JSON else {"type": "string", "format": "binary"}
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {content: {"schema": body}}},
                "400": {
                    "description": "A parameter is unknown or has a wrong value.",
                    "content": {JSON: {"schema": ERROR}},
                },
                "404": {
                    "description": "No such tiling scheme, tileset or tile.",
                    "content": {JSON: {"schema": ERROR}},
                },
            },
        }
    }
