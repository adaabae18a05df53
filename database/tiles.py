"""One Mapbox Vector Tile of the events, built by PostGIS (ST_AsMVT).

A page cannot carry a million events, and a tile holds only what one square of the map
needs, so the database writes it, one feature per cell of the grid (database.tilegrid): a
tile of the coarse zooms for all times reads the cells built at load (database.tilecells);
any other groups the points in it by their stored cell (tile_x, tile_y, through a btree).
Shapes other than points are found by their own GiST index and are a feature each. The tile
is the events as every other reader sees them: a sensitive event is moved to the centre of
its grid cell and drawn no finer than "area" here too (the table keeps what the files say;
geodata.privacy coarsens the files' readers the same way).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Connection,
    and_,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)

from almaty_map.database.eventsql import conditions, without_jit
from almaty_map.database.schema import SRID, events, slice_cells, tile_cells
from almaty_map.database.tilecells import CELL_ZOOM
from almaty_map.database.tilegrid import (
    KEY_ZOOM,
    WEB_MERCATOR,
    key_range,
    shown_geometry,
    shown_precision,
)
from almaty_map.database.tileslices import stored_slice
from almaty_map.geodata.filtering import EventFilter

LAYER = "events"
# Units across a tile (MVT's usual 4096), and the margin kept beyond its edges, so a symbol
# whose centre lies just outside still reaches into the tile: one cell of the grid.
EXTENT = 4096
BUFFER = 64
# Half the side of Web Mercator's square world, in metres.
WORLD_HALF = 20037508.342789244
ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
# What each feature carries, in the tile's order (ogcapi.tiles reads a request's choice).
PROPERTIES = ("id", "category", "start", "end", "geo_precision", "time_precision", "n")
# Memory for grouping a tile's points: a city's million in a hash, not sorted on disk.
GROUP_MEMORY = "128MB"
# A view's tiles come at once, and a slice's city tile (28,000 stored cells at a million)
# planned with parallel workers took longer than alone (166 against 141 ms), the workers
# taking the cores the view's other tiles were built on.
TILE_SETTINGS = {"work_mem": GROUP_MEMORY, "max_parallel_workers_per_gather": "0"}


def tile(
    connection: Connection,
    z: int,
    x: int,
    y: int,
    flt: EventFilter,
    properties: Sequence[str] | None = None,
) -> bytes:
    """The tile at zoom ``z``, column ``x``, row ``y`` of WebMercatorQuad, holding the
    events that pass ``flt`` (its time and categories; the caller allows nothing else),
    each feature with ``properties`` (names of PROPERTIES, in its order; all if None).

    Each feature carries how many events it stands for (``n``); features are in load
    order, so a tile reads the same whichever way it was built.
    """
    names = PROPERTIES if properties is None else tuple(properties)
    without_jit(connection)
    for name, value in TILE_SETTINGS.items():
        connection.execute(text(f"SET LOCAL {name} = '{value}'"))
    bounds = func.ST_MakeEnvelope(-WORLD_HALF, -WORLD_HALF, WORLD_HALF, WORLD_HALF, WEB_MERCATOR)
    envelope = func.ST_TileEnvelope(z, x, y, bounds)
    margin = func.ST_TileEnvelope(z, x, y, bounds, BUFFER / EXTENT)
    points = _points(connection, z, x, y, envelope, flt, names)
    near = func.ST_Transform(margin, SRID)
    rows = union_all(points, _shapes(near, envelope, flt, names)).subquery()
    kept = (
        select(*(c for c in rows.c if c.name != "position"))
        .where(rows.c.geom.is_not(None))
        .order_by(rows.c.position)
        .subquery("kept")
    )
    statement = select(
        func.coalesce(func.ST_AsMVT(literal_column("kept"), LAYER, EXTENT, "geom"), literal(b""))
    ).select_from(kept)
    return bytes(connection.execute(statement).scalar_one())


def _feature(envelope, names: tuple[str, ...], geom, source, precision, n) -> list:
    """A feature's columns, in the order every part of the tile gives them: its shape,
    the properties ``names`` (none other is computed), and its position (the order)."""
    properties = {
        "id": source.c.id,
        "category": source.c.category,
        "start": func.to_char(func.timezone("UTC", source.c.start), ISO_UTC).label("start"),
        "end": func.to_char(func.timezone("UTC", source.c.end), ISO_UTC).label("end"),
        "geo_precision": precision.label("geo_precision"),
        "time_precision": source.c.time_precision,
        "n": n.label("n"),
    }
    return [
        func.ST_AsMVTGeom(geom, envelope, EXTENT, BUFFER, True).label("geom"),
        *(properties[name] for name in names),
        source.c.position,
    ]


def _points(connection: Connection, z: int, x: int, y: int, envelope, flt: EventFilter, names):
    """The tile's points: from the cells the load grouped where it grouped them (the
    coarse zooms, for all times or for one of the version's days), else from the events."""
    if z <= CELL_ZOOM and flt.start is None and flt.end is None:
        return _stored_cells(tile_cells, z, x, y, envelope, flt, names)
    day = stored_slice(connection, flt) if z <= CELL_ZOOM else None
    if day is not None:
        return _stored_cells(slice_cells, z, x, y, envelope, flt, names, day)
    return _grouped_points(z, x, y, envelope, flt, names)


def _stored_cells(table, z: int, x: int, y: int, envelope, flt: EventFilter, names, day=None):
    """The tile's cells as the load grouped them: for all times (``tile_cells``), or for
    the day numbered ``day`` (``slice_cells``)."""
    cells = table.alias("cells")
    lo_x, hi_x = key_range(x, z)
    lo_y, hi_y = key_range(y, z)
    where = [cells.c.zoom == z, cells.c.cx.between(lo_x, hi_x), cells.c.cy.between(lo_y, hi_y)]
    if day is not None:
        where.append(cells.c.slice == day)
    if flt.categories is not None:
        where.append(cells.c.category.in_(flt.categories))
    columns = _feature(envelope, names, cells.c.geom, cells, cells.c.geo_precision, cells.c.n)
    return select(*columns).where(*where)


def _grouped_points(z: int, x: int, y: int, envelope, flt: EventFilter, names):
    """The tile's points that pass ``flt``, grouped per cell, category and precision: the
    first one's position and how many there are, then the first one's columns."""
    shift = KEY_ZOOM - z
    lo_x, hi_x = key_range(x, z)
    lo_y, hi_y = key_range(y, z)
    inside = and_(
        events.c.tile_x.between(lo_x << shift, ((hi_x + 1) << shift) - 1),
        events.c.tile_y.between(lo_y << shift, ((hi_y + 1) << shift) - 1),
    )
    column, row = events.c.tile_x.op(">>")(shift), events.c.tile_y.op(">>")(shift)
    precision = shown_precision()
    cells = (
        select(func.min(events.c.position).label("first"), func.count().label("n"))
        .where(inside, *conditions(flt))
        .group_by(column, row, events.c.category, precision)
        .subquery("cells")
    )
    first = events.alias("first")
    shown = func.ST_Transform(shown_geometry(first), WEB_MERCATOR)
    columns = _feature(envelope, names, shown, first, shown_precision(first), cells.c.n)
    return select(*columns).select_from(cells.join(first, first.c.position == cells.c.first))


def _shapes(near, envelope, flt: EventFilter, names):
    """Shapes other than points (which have no cell), each its own feature."""
    shown = func.ST_Transform(events.c.geom, WEB_MERCATOR)
    columns = _feature(envelope, names, shown, events, events.c.geo_precision, literal(1))
    return select(*columns).where(
        events.c.tile_x.is_(None), events.c.geom.op("&&")(near), *conditions(flt)
    )
