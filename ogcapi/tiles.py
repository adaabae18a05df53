"""OGC API - Tiles for the events: its documents, and the reading of a tile's request.

One tiling scheme, WebMercatorQuad (what web maps, QGIS and GDAL use), and one kind of
tile, Mapbox Vector Tiles. A tile's address is read strictly: a part that is not a number is
a bad request naming it, a number outside the scheme's matrices is a tile that does not
exist (404), and its filters (datetime, category) are read by geodata.query as the items'
are, so the same value gets the same answer everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.ogcapi.documents import JSON, link
from almaty_map.ogcapi.errors import ApiError, not_found, rejected
from almaty_map.ogcapi.params import request_problems
from almaty_map.ogcapi.tiling import (
    MERCATOR_CRS,
    MVT,
    SCHEME,
    SCHEME_URI,
    TILING_SCHEME_REL,
)

MAX_ZOOM = 24  # WebMercatorQuad's last matrix
WORLD_HALF = 20037508.3427892
TILE_SIZE = 256
# The standard pixel (0.28 mm) that scale denominators are counted in.
PIXEL_METRES = 0.00028
TILE_PARAMS = ("f", "datetime", "category", "properties")
# What each feature carries, in the tile's order; ``properties`` asks for fewer.
FEATURE_PROPERTIES = ("id", "category", "start", "end", "geo_precision", "time_precision", "n")
TILE_FORMATS = ("mvt",)
# A whole number, signed (a negative one is outside every matrix, not malformed).
_NUMBER = re.compile(r"-?[0-9]+")
# Longer numbers are beyond the scheme whatever they say (and int() refuses the longest).
_DIGITS = 9
NEEDS_DATABASE = (
    "Vector tiles are built by the team database: this server reads a dataset folder. "
    "Serve with --db URL to have them, or use /ogc/collections/events/items."
)


@dataclass(frozen=True)
class TileRequest:
    z: int
    x: int
    y: int
    filter: EventFilter
    properties: tuple[str, ...] = FEATURE_PROPERTIES


def read_tile_request(
    dataset: Dataset, args: MultiDict, matrix: str, row: str, col: str
) -> TileRequest:
    """Every problem with a tile's request at once (400); 404 for a tile not in the scheme."""
    problems = request_problems(args, TILE_PARAMS, TILE_FORMATS)
    text = QueryText(datetime=args.get("datetime"), categories=tuple(args.getlist("category")))
    query = read_query(dataset.meta, text)
    numbers = [_number(name, value, problems) for name, value in _parts(matrix, row, col)]
    properties = _properties(args.get("properties"), problems)
    problems.extend(query.problems)
    if problems:
        raise rejected(problems)
    z, y, x = numbers
    side = 2 ** min(max(z, 0), MAX_ZOOM)
    if not (0 <= z <= MAX_ZOOM and 0 <= y < side and 0 <= x < side):
        raise not_found(
            f"no tile {'/'.join(p[:12] for p in (matrix, row, col))} in {SCHEME}: "
            f"matrices 0 to {MAX_ZOOM}, "
            f"and rows and columns from 0 to 2^matrix - 1"
        )
    return TileRequest(z, x, y, query.filter, properties)


def _properties(value: str | None, problems: list[QueryProblem]) -> tuple[str, ...]:
    """The features' properties asked for, in the tile's order (all by default). A map
    that draws the events needs few of them, and the others (two times as text per
    feature) were half of a city tile's build and of its bytes."""
    if value is None:
        return FEATURE_PROPERTIES
    asked = [name.strip() for name in value.split(",")]
    unknown = [name for name in asked if name not in FEATURE_PROPERTIES]
    if unknown or not value.strip():
        expected = "property names separated by commas, of " + ", ".join(FEATURE_PROPERTIES)
        problems.append(QueryProblem.expecting("properties", expected, value))
    return tuple(name for name in FEATURE_PROPERTIES if name in asked)


def _parts(matrix: str, row: str, col: str) -> tuple[tuple[str, str], ...]:
    return (("tileMatrix", matrix), ("tileRow", row), ("tileCol", col))


def _number(name: str, value: str, problems: list[QueryProblem]) -> int:
    """Digits only, as in the URL template: int() would also take spaces, "+" and "_"."""
    if not value.isascii() or not _NUMBER.fullmatch(value):
        problems.append(QueryProblem.expecting(name, "a whole number (digits only)", value))
        return 0
    return int(value) if len(value) <= _DIGITS else -1


def needs_database() -> ApiError:
    return ApiError(404, "NotFound", NEEDS_DATABASE)


def tile_matrix_sets(base: str) -> dict:
    url = f"{base}/tileMatrixSets/{SCHEME}"
    return {
        "tileMatrixSets": [
            {
                "id": SCHEME,
                "title": "Google Maps Compatible for the World",
                "uri": SCHEME_URI,
                "links": [link(url, "self", JSON, "The tiling scheme")],
            }
        ],
        "links": [link(f"{base}/tileMatrixSets", "self", JSON, "The tiling schemes")],
    }


def tile_matrix_set(base: str) -> dict:
    """WebMercatorQuad as OGC's Two Dimensional Tile Matrix Set (2.0) defines it."""
    return {
        "id": SCHEME,
        "title": "Google Maps Compatible for the World",
        "uri": SCHEME_URI,
        "crs": MERCATOR_CRS,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [_matrix(z) for z in range(MAX_ZOOM + 1)],
        "links": [link(f"{base}/tileMatrixSets/{SCHEME}", "self", JSON, "This tiling scheme")],
    }


def _matrix(z: int) -> dict:
    cell = 2 * WORLD_HALF / TILE_SIZE / 2**z
    return {
        "id": str(z),
        "scaleDenominator": cell / PIXEL_METRES,
        "cellSize": cell,
        "cornerOfOrigin": "topLeft",
        "pointOfOrigin": [-WORLD_HALF, WORLD_HALF],
        "tileWidth": TILE_SIZE,
        "tileHeight": TILE_SIZE,
        "matrixWidth": 2**z,
        "matrixHeight": 2**z,
    }


def _tileset_summary(base: str) -> dict:
    url = f"{base}/collections/events/tiles/{SCHEME}"
    return {
        "title": f"Events as vector tiles ({SCHEME})",
        "dataType": "vector",
        "crs": MERCATOR_CRS,
        "tileMatrixSetURI": SCHEME_URI,
        "links": [
            link(url, "self", JSON, "The tileset"),
            link(f"{base}/tileMatrixSets/{SCHEME}", TILING_SCHEME_REL, JSON, "Its tiling scheme"),
        ],
    }


def tilesets(base: str) -> dict:
    url = f"{base}/collections/events/tiles"
    return {
        "tilesets": [_tileset_summary(base)],
        "links": [
            link(url, "self", JSON, "The events' tilesets"),
            link(f"{base}/collections/events", "collection", JSON, "The collection"),
        ],
    }


def tileset(base: str, category_ids: tuple[str, ...]) -> dict:
    """The tileset: where its tiles are, and what each feature in them tells."""
    url = f"{base}/collections/events/tiles/{SCHEME}"
    template = f"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
    summary = _tileset_summary(base)
    return {
        **summary,
        "description": (
            "Every event as a feature of the layer 'events', with what a map needs to draw "
            "it and to ask for the rest (/ogc/collections/events/items/{id}). datetime and "
            "category filter the tiles as they filter the items; properties (names "
            "separated by commas) keeps only those properties."
        ),
        "layers": [
            {
                "id": "events",
                "dataType": "vector",
                "minTileMatrix": "0",
                "maxTileMatrix": str(MAX_ZOOM),
                "propertiesSchema": _properties_schema(category_ids),
            }
        ],
        "links": [
            *summary["links"],
            {**link(template, "item", MVT, "A tile"), "templated": True},
            link(f"{base}/collections/events", "collection", JSON, "The collection"),
        ],
    }


def _properties_schema(category_ids: tuple[str, ...]) -> dict:
    text = {"type": "string"}
    moment = {"type": "string", "format": "date-time"}
    return {
        "type": "object",
        "properties": {
            "id": {**text, "description": "The event's id in the items"},
            "category": {**text, "enum": list(category_ids)},
            "start": moment,
            "end": moment,
            "geo_precision": text,
            "time_precision": text,
            "n": {
                "type": "integer",
                "description": "How many events the feature stands for: those within a few "
                "pixels of it, with its category and precision, which draw the same symbol",
            },
        },
    }
