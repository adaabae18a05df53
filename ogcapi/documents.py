"""The API's metadata documents: landing page, conformance, collections, OpenAPI.

``base`` is the absolute URL of the API root (e.g. http://127.0.0.1:5000/ogc), so every
link is absolute, as OWSLib and GDAL expect.
"""

from __future__ import annotations

from almaty_map.geodata.crs import CRS84, SUPPORTED
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_TEXT_QUERY
from almaty_map.geodata.timebounds import INTERVAL_EXPECTED
from almaty_map.ogcapi import tiling

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    *(
        f"http://www.opengis.net/spec/cql2/1.0/conf/{name}"
        for name in (
            "cql2-text",
            "cql2-json",
            "basic-cql2",
            "advanced-comparison-operators",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
            "temporal-functions",
        )
    ),
)
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA = "application/schema+json"
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
CSV = "text/csv"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def self_links(url: str, current: str, formats: tuple[tuple[str, str], ...]) -> list[dict]:
    """self for the current format, alternate for the others (``formats``: (f, type))."""
    separator = "&" if "?" in url else "?"
    return [
        link(
            f"{url}{separator}f={f}",
            "self" if f == current else "alternate",
            type_,
            f"This document as {f.upper()}",
        )
        for f, type_ in formats
    ]


def landing(dataset: Dataset, base: str, current: str) -> dict:
    meta = dataset.meta
    return {
        "title": meta.title,
        "description": meta.summary,
        "version": meta.version,
        "links": [
            *self_links(base, current, (("json", JSON), ("html", HTML))),
            link(f"{base}/openapi?f=json", "service-desc", OPENAPI, "The API definition"),
            link(f"{base}/openapi?f=html", "service-doc", HTML, "The API documentation"),
            link(f"{base}/conformance?f=json", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections?f=json", "data", JSON, "The collections"),
            link(f"{base}/tileMatrixSets", tiling.TILING_SCHEMES_REL, JSON, "The tiling schemes"),
        ],
    }


def conformance(tiles: bool = False) -> dict:
    """``tiles``: whether vector tiles are served (they are built by the team database)."""
    return {"conformsTo": [*CONFORMANCE, *(tiling.CONFORMANCE if tiles else ())]}


def _extent(dataset: Dataset, name: str) -> dict:
    """Of every event of the version (a database's Dataset holds only some of them)."""
    if name == "events":
        whole = dataset.whole
        bounds = whole.bounds if whole.count else None
    else:
        bounds = tuple(dataset.places.total_bounds) if len(dataset.places) else None
    extent: dict[str, object] = {
        "spatial": {
            "bbox": [[round(float(v), 7) for v in bounds or (-180.0, -90.0, 180.0, 90.0)]],
            "crs": CRS84,
        }
    }
    if name == "events" and whole.count:
        first, last = (
            t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ") for t in (whole.first, whole.last)
        )
        extent["temporal"] = {"interval": [[first, last]], "trs": GREGORIAN}
    return extent


def collection(
    dataset: Dataset, base: str, name: str, current: str = "json", tiles: bool = False
) -> dict:
    url = f"{base}/collections/{name}"
    tile_links = [link(f"{url}/tiles", tiling.TILESETS_REL, JSON, "Vector tiles")]
    titles = {"events": "Events", "places": "Reference places"}
    descriptions = {
        "events": "Events with their time, place, precision and quoted sources.",
        "places": "Landmarks and areas the events refer to, with cited coordinates.",
    }
    return {
        "id": name,
        "title": titles[name],
        "description": descriptions[name],
        "itemType": "feature",
        # The dataset's version, which changes with every published correction.
        "version": dataset.meta.version,
        "crs": list(SUPPORTED),
        "storageCrs": CRS84,
        "extent": _extent(dataset, name),
        "links": [
            *self_links(url, current, (("json", JSON), ("html", HTML))),
            link(f"{url}/items?f=json", "items", GEOJSON, f"{titles[name]} as GeoJSON"),
            link(f"{url}/items?f=html", "items", HTML, f"{titles[name]} as HTML"),
            link(f"{url}/items?f=csv", "items", CSV, f"{titles[name]} as CSV"),
            link(f"{url}/queryables", QUERYABLES_REL, SCHEMA, "What a filter may name"),
            *(tile_links if tiles and name == "events" else ()),
        ],
    }


def collections(dataset: Dataset, base: str, current: str, tiles: bool = False) -> dict:
    return {
        "links": self_links(f"{base}/collections", current, (("json", JSON), ("html", HTML))),
        "collections": [
            collection(dataset, base, name, tiles=tiles) for name in ("events", "places")
        ],
    }


def parameter(name: str, description: str, schema: dict, where: str = "query", **extra) -> dict:
    """An OpenAPI parameter: in the query (optional) or in the path (always required)."""
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        **extra,
    }


def _crs_parameter(name: str, description: str) -> dict:
    return parameter(
        name, description, {"type": "string", "format": "uri", "enum": list(SUPPORTED)}
    )


def openapi(dataset: Dataset, base: str) -> dict:
    """An OpenAPI 3.0 description of every path and parameter the API accepts."""
    f = parameter("f", "Response format.", {"type": "string", "enum": ["json", "html", "csv"]})
    items_params = [
        f,
        parameter(
            "bbox",
            "Only features intersecting this box: min_lon,min_lat,max_lon,"
            "max_lat (WGS84), or four numbers in bbox-crs. min_lon > max_lon crosses"
            " the antimeridian.",
            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            style="form",
            explode=False,
        ),
        parameter(
            "datetime",
            f"Only features whose time span overlaps this: "
            f"{INTERVAL_EXPECTED}. A bare date is a whole day in the dataset's "
            f"timezone ({dataset.meta.timezone}).",
            {"type": "string"},
        ),
        parameter(
            "limit",
            "Features per page.",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        parameter(
            "offset",
            "Features to skip (the next and prev links use it).",
            {"type": "integer", "minimum": 0, "default": 0},
        ),
        parameter(
            "category",
            "Events in these categories (repeat the parameter or "
            "separate ids with commas): " + ", ".join(dataset.meta.category_ids),
            {"type": "array", "items": {"type": "string", "enum": list(dataset.meta.category_ids)}},
            style="form",
            explode=True,
        ),
        parameter(
            "q",
            "Features whose text (title, description, place, actors; for places,"
            " names) contains this, ignoring case.",
            {"type": "string", "maxLength": MAX_TEXT_QUERY},
        ),
        parameter(
            "filter",
            "A CQL2 filter on the collection's queryables (see /queryables).",
            {"type": "string"},
        ),
        parameter(
            "filter-lang",
            "The filter's encoding (cql-text, the draft's name, is read as cql2-text).",
            {
                "type": "string",
                "enum": ["cql2-text", "cql2-json", "cql-text"],
                "default": "cql2-text",
            },
        ),
        _crs_parameter("filter-crs", "CRS of the filter's geometries."),
        parameter(
            "sortby",
            "Queryables to sort by, comma-separated, each with an optional + or -.",
            {"type": "string"},
        ),
        _crs_parameter("crs", "CRS of the response's geometries (GeoJSON and HTML)."),
        _crs_parameter("bbox-crs", "CRS of bbox, in its axis order (EPSG:4326: lat first)."),
    ]
    collection_id = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["events", "places"]},
    }
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}

    def get(summary: str, params: list, content: tuple[str, ...]) -> dict:
        return {
            "get": {
                "summary": summary,
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            c: {"schema": {"type": "object"}}
                            if "json" in c
                            else {"schema": {"type": "string"}}
                            for c in content
                        },
                    },
                    "400": {
                        "description": "A parameter is unknown or has a wrong value.",
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/error"}}},
                    },
                    "404": {
                        "description": "No such collection or feature.",
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/error"}}},
                    },
                },
            }
        }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{dataset.meta.title}: OGC API - Features",
            "version": "1.0.0",
            "description": dataset.meta.summary,
            "license": {"name": dataset.meta.licence or "see the dataset"},
        },
        "servers": [{"url": base}],
        "paths": {
            "/": get("Landing page", [f], (JSON, HTML)),
            "/conformance": get("Conformance classes", [f], (JSON, HTML)),
            "/openapi": get("This API definition", [f], (OPENAPI, HTML)),
            "/collections": get("The collections", [f], (JSON, HTML)),
            "/collections/{collectionId}": get("One collection", [collection_id, f], (JSON, HTML)),
            "/collections/{collectionId}/queryables": get(
                "What a filter on the collection may name", [collection_id, f], (SCHEMA,)
            ),
            "/collections/{collectionId}/items": get(
                "Features of a collection", [collection_id, *items_params], (GEOJSON, HTML, CSV)
            ),
            "/collections/{collectionId}/items/{featureId}": get(
                "One feature",
                [
                    collection_id,
                    feature_id,
                    f,
                    _crs_parameter("crs", "CRS of the response's geometry."),
                ],
                (GEOJSON, HTML, CSV),
            ),
        },
        "components": {
            "schemas": {
                "error": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {
                        "code": {"type": "string"},
                        "description": {"type": "string"},
                        "parameter": {"type": "string"},
                        "expected": {"type": "string"},
                    },
                }
            }
        },
    }
