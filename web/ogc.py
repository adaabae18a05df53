"""OGC API - Features views: thin wrappers that turn ogcapi results into responses.

Every path answers with and without a trailing slash (OWSLib asks for /ogc/), in JSON by
default, HTML for browsers or ``f=html``, CSV for items with ``f=csv``. Errors are raised as
ogcapi's ApiError and answered by web.errors: JSON naming every parameter at fault, and never
a 500 for a bad request.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import orjson
from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.routing import PathConverter

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.formats import BATCH
from almaty_map.geodata.queryables import schema_document
from almaty_map.language.dates import when
from almaty_map.language.texts import texts_for
from almaty_map.ogcapi import documents, items
from almaty_map.ogcapi.errors import not_found
from almaty_map.ogcapi.openapi_tiles import tile_paths
from almaty_map.ogcapi.params import (
    COLLECTIONS,
    FORMATS,
    ITEM_PARAMS,
    check_request,
    parse_items_query,
)
from almaty_map.web.conditional import cacheable, not_modified, view_etag
from almaty_map.web.heavy import heavy
from almaty_map.web.links import external_url, quote_id
from almaty_map.web.store import current_dataset, current_source, serves_tiles
from almaty_map.web.vary import varies_on

blueprint = Blueprint("ogc", __name__, url_prefix="/ogc")


class FeatureIdConverter(PathConverter):
    """The rest of the path as a feature id: any character, "/" anywhere included (a
    leading or doubled one too, which werkzeug's path converter refuses)."""

    regex = ".+"
    part_isolating = False


blueprint.record_once(
    lambda state: state.app.url_map.converters.update(feature_id=FeatureIdConverter)
)
DOCUMENT_FORMATS = ("json", "html")
MIMETYPES = {"json": documents.GEOJSON, "csv": documents.CSV, "html": documents.HTML}
MAX_AGE = 60


def route(rule: str, endpoint: str, on: Blueprint = blueprint):
    """Register a view under ``rule`` and ``rule + '/'``, both answering directly."""

    def decorate(view: Callable):
        for path in (rule, rule + "/"):  # url_for builds the first
            on.add_url_rule(path, endpoint=endpoint, view_func=view, strict_slashes=True)
        return view

    return decorate


def negotiate(allowed: tuple[str, ...]) -> str:
    """``f`` if given (each view has checked it), else the best of the Accept header (so
    the response varies on it), else JSON."""
    chosen = request.args.get("f")
    if chosen:
        return chosen
    varies_on("Accept")
    offered = [documents.GEOJSON, documents.JSON, documents.HTML]
    if "csv" in allowed:
        offered.append(documents.CSV)
    best = request.accept_mimetypes.best_match(offered, default=documents.JSON)
    return {documents.HTML: "html", documents.CSV: "csv"}.get(best, "json")


def base_url() -> str:
    """The API's absolute address, from the configured public URL, never the Host header."""
    return external_url("ogc.landing").rstrip("/")


def json_response(body: bytes | dict, mimetype: str = documents.JSON) -> Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    response = Response(data, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def cached(response: Response) -> Response:
    response.add_etag()
    return cacheable(response, MAX_AGE).make_conditional(request)


def _collection_name(name: str) -> str:
    if name not in COLLECTIONS:
        raise not_found(
            f"no collection {name[:80]!r}; the collections are " + ", ".join(COLLECTIONS)
        )
    return name


@route("", "landing")
def landing():
    check_request(request.args, ("f",), DOCUMENT_FORMATS)
    fmt = negotiate(DOCUMENT_FORMATS)
    dataset = current_dataset()
    document = documents.landing(dataset, base_url(), fmt)
    if fmt == "html":
        return cached(Response(render_template("ogc/landing.html", doc=document)))
    return cached(json_response(document))


@route("/conformance", "conformance")
def conformance():
    check_request(request.args, ("f",), DOCUMENT_FORMATS)
    fmt = negotiate(DOCUMENT_FORMATS)
    document = documents.conformance(tiles=serves_tiles())
    if fmt == "html":
        return cached(Response(render_template("ogc/conformance.html", doc=document)))
    return cached(json_response(document))


@route("/openapi", "openapi")
def openapi():
    check_request(request.args, ("f",), DOCUMENT_FORMATS)
    fmt = negotiate(DOCUMENT_FORMATS)
    dataset = current_dataset()
    document = documents.openapi(dataset, base_url())
    meta = dataset.meta
    document["paths"].update(tile_paths(meta.category_ids, meta.timezone, serves_tiles()))
    if fmt == "html":
        return cached(Response(render_template("ogc/openapi.html", doc=document)))
    return cached(json_response(document, documents.OPENAPI))


@route("/collections", "collections")
def collections():
    check_request(request.args, ("f",), DOCUMENT_FORMATS)
    fmt = negotiate(DOCUMENT_FORMATS)
    document = documents.collections(current_dataset(), base_url(), fmt, serves_tiles())
    if fmt == "html":
        return cached(Response(render_template("ogc/collections.html", doc=document)))
    return cached(json_response(document))


@route("/collections/<name>", "collection")
def collection(name: str):
    check_request(request.args, ("f",), DOCUMENT_FORMATS)
    name = _collection_name(name)
    fmt = negotiate(DOCUMENT_FORMATS)
    document = documents.collection(current_dataset(), base_url(), name, fmt, serves_tiles())
    if fmt == "html":
        return cached(Response(render_template("ogc/collection.html", doc=document)))
    return cached(json_response(document))


@route("/collections/<name>/queryables", "queryables")
def queryables(name: str):
    check_request(request.args, ("f",), ("json",))
    name = _collection_name(name)
    url = f"{base_url()}/collections/{name}/queryables"
    document = schema_document(name, current_dataset().meta.category_ids, url)
    return cached(json_response(document, documents.SCHEMA))


@route("/collections/<name>/items", "items")
def items_view(name: str):
    name = _collection_name(name)
    source = current_source()
    dataset = source.dataset
    query = parse_items_query(request.args, dataset, name)
    fmt = negotiate(FORMATS)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "f"]
    # Weak: the body's timeStamp changes, nothing else does for the same request.
    etag = view_etag(dataset.fingerprint, name, fmt, args, base_url())
    unchanged = not_modified(etag, MAX_AGE)
    if unchanged is not None:
        return unchanged
    dataset, page = items.select_page(source, name, query)
    links = items.page_links(f"{base_url()}/collections/{name}/items", args, query, page, fmt)
    if request.method == "HEAD":
        response = Response(iter(()), mimetype=MIMETYPES[fmt])
    else:

        def respond() -> Response:
            return _items_response(dataset, name, fmt, page, query, links)

        response = heavy(respond, len(page.positions))
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Content-Crs"] = f"<{query.crs}>"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(etag, weak=True)
    return cacheable(response, MAX_AGE)


def _items_response(dataset: Dataset, name: str, fmt: str, page, query, links) -> Response:
    """A page of items; a page of more than a few thousand features is written as it is
    sent (in batches, compressed as it goes), never held whole."""
    if fmt == "html":
        rows = _rows(dataset, name, page.positions)
        body = render_template(
            "ogc/items.html", name=name, page=page, links=links, query=query, rows=rows
        )
        return Response(body, mimetype=documents.HTML)
    if fmt == "csv":
        chunks = (c.encode() for c in items.features_csv_chunks(dataset, page))
    else:
        chunks = items.features_json_chunks(dataset, page, links, query.crs)
    if len(page.positions) <= BATCH:
        return Response(b"".join(chunks), mimetype=MIMETYPES[fmt])
    return Response(chunks, mimetype=MIMETYPES[fmt])


@blueprint.route("/collections/<name>/items/<feature_id:feature_id>", merge_slashes=False)
def item(name: str, feature_id: str):
    """One feature; its id may hold any character ("/" included), percent-encoded."""
    crs = check_request(request.args, ITEM_PARAMS, FORMATS)
    name = _collection_name(name)
    dataset, position = items.find_feature(current_source(), name, feature_id)
    fmt = negotiate(FORMATS)
    found_id = items.feature_id(dataset, name, position)
    url = f"{base_url()}/collections/{name}/items/{quote_id(found_id)}"
    links = [
        *documents.self_links(
            url,
            fmt,
            (("json", documents.GEOJSON), ("html", documents.HTML), ("csv", documents.CSV)),
        ),
        documents.link(
            f"{base_url()}/collections/{name}?f=json",
            "collection",
            documents.JSON,
            "The collection",
        ),
    ]
    if fmt == "csv":
        csv = items.features_csv(dataset, items.Page(name, [position], 1))
        return crs_cached(Response(csv, mimetype=documents.CSV), crs)
    feature_json = items.feature_json(dataset, name, position, links, crs)
    if fmt == "html":
        feature = orjson.loads(feature_json)
        properties = [
            (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in feature["properties"].items()
        ]
        properties.append(("geometry", json.dumps(feature["geometry"])))
        heading = feature["properties"].get("title") or feature["properties"].get("name")
        return crs_cached(
            Response(
                render_template(
                    "ogc/item.html",
                    name=name,
                    feature=feature,
                    heading=heading,
                    properties=properties,
                    links=links,
                )
            ),
            crs,
        )
    return crs_cached(json_response(feature_json, documents.GEOJSON), crs)


def crs_cached(response: Response, crs: str) -> Response:
    """A feature's response, saying the CRS of its coordinates (Part 2's Content-Crs)."""
    response.headers["Content-Crs"] = f"<{crs}>"
    return cached(response)


def _rows(dataset: Dataset, name: str, positions) -> list[dict[str, str]]:
    """Table rows for the HTML view of a page of items."""
    if name == "places":
        frame = dataset.places.iloc[list(positions)]
        return [
            {
                "id": r.id,
                "href": _item_href(name, r.id),
                "title": r.name,
                "when": "",
                "place": r.kind,
            }
            for r in frame.itertuples(index=False)
        ]
    texts = texts_for("en")
    frame = dataset.events.iloc[list(positions)]
    return [
        {
            "id": r.id,
            "href": _item_href(name, r.id),
            "title": r.title,
            "when": when(r.start, r.end, r.time_precision, texts),
            "place": r.place,
        }
        for r in frame.itertuples(index=False)
    ]


def _item_href(name: str, feature_id: str) -> str:
    return f"{url_for('ogc.items', name=name)}/{quote_id(feature_id)}?f=html"
