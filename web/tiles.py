"""OGC API - Tiles views: the tiling scheme, the events' tilesets, and their tiles.

Tiles are built by PostGIS (database.tiles), so they exist only when the server reads the
team database; on a dataset folder the tileset paths answer 404 saying so, and the API's
documents do not announce them. The tiling scheme itself is a fixed document and is always
served. A tile's ETag is known from the dataset's version and the request alone, so a
client that has it is answered 304 without asking the database, and a tile built once is
kept (in the rendered maps' memory budget, ALMATY_MAP_RENDER_CACHE_MB) for the next reader,
compressed once beside it: a city's tile is about 1.3 MB, and compressing it on every
request cost more than reading it from the database's stored cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, current_app, request

from almaty_map.ogcapi import tiles, tiling
from almaty_map.ogcapi.errors import not_found
from almaty_map.ogcapi.params import check_request
from almaty_map.web.conditional import cacheable, not_modified, view_etag
from almaty_map.web.gzipped import pack, pieces_response
from almaty_map.web.ogc import MAX_AGE, base_url, cached, json_response, route
from almaty_map.web.store import current_dataset, database_engine

if TYPE_CHECKING:
    from sqlalchemy import Engine

blueprint = Blueprint("tiles", __name__, url_prefix="/ogc")
DOCUMENT = ("f",)


def _engine() -> Engine:
    engine = database_engine()
    if engine is None:
        raise tiles.needs_database()
    return engine


def _scheme(name: str) -> None:
    if name != tiling.SCHEME:
        raise not_found(f"no tiling scheme {name[:80]!r}; the one served is {tiling.SCHEME}")


def _events(name: str) -> None:
    if name != "events":
        raise not_found(f"no tiles for collection {name[:80]!r}; only events have tiles")


@route("/tileMatrixSets", "tile_matrix_sets", blueprint)
def tile_matrix_sets():
    check_request(request.args, DOCUMENT, ("json",))
    return cached(json_response(tiles.tile_matrix_sets(base_url())))


@route("/tileMatrixSets/<name>", "tile_matrix_set", blueprint)
def tile_matrix_set(name: str):
    check_request(request.args, DOCUMENT, ("json",))
    _scheme(name)
    return cached(json_response(tiles.tile_matrix_set(base_url())))


@route("/collections/<name>/tiles", "tilesets", blueprint)
def tilesets(name: str):
    check_request(request.args, DOCUMENT, ("json",))
    _events(name)
    _engine()
    return cached(json_response(tiles.tilesets(base_url())))


@route("/collections/<name>/tiles/<scheme>", "tileset", blueprint)
def tileset(name: str, scheme: str):
    check_request(request.args, DOCUMENT, ("json",))
    _events(name)
    _scheme(scheme)
    _engine()
    categories = current_dataset().meta.category_ids
    return cached(json_response(tiles.tileset(base_url(), categories)))


@blueprint.route("/collections/<name>/tiles/<scheme>/<matrix>/<row>/<col>")
def tile(name: str, scheme: str, matrix: str, row: str, col: str):
    """One tile; its ETag names the dataset's version, the tile and its filters."""
    _events(name)
    _scheme(scheme)
    engine = _engine()
    dataset = current_dataset()
    wanted = tiles.read_tile_request(dataset, request.args, matrix, row, col)
    args = sorted(request.args.items(multi=True))
    etag = view_etag(dataset.fingerprint, "tile", wanted.z, wanted.y, wanted.x, args)
    unchanged = not_modified(etag, MAX_AGE)
    if unchanged is not None:
        return unchanged
    # Kept with the rendered maps: a tile of a whole city costs the database seconds, and
    # every reader of the page asks for the same ones (built once however many ask at once).
    renders = current_app.extensions["almaty_map_renders"]
    body = renders.get(("tile", etag), lambda: pack(_build(engine, wanted)))
    response = pieces_response([body], tiling.MVT, etag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return cacheable(response, MAX_AGE)


def _build(engine: Engine, wanted: tiles.TileRequest) -> bytes:
    """Imported here: a server on files needs none of SQLAlchemy."""
    from sqlalchemy import exc

    from almaty_map.database.connect import DatabaseUnavailableError
    from almaty_map.database.tiles import tile as build_tile

    try:
        with engine.connect() as connection:
            return build_tile(
                connection, wanted.z, wanted.x, wanted.y, wanted.filter, wanted.properties
            )
    except exc.OperationalError:
        raise DatabaseUnavailableError(
            "The database stopped answering while a tile was built"
        ) from None
