"""One Mapbox Vector Tile of the events, built by PostGIS (ST_AsMVT).

A page cannot carry a million events, and a tile holds only what one square of the map
needs, so the database writes it: a point is found and grouped by its stored Web Mercator
cell (tile_x, tile_y, migration 0002, through a btree), a shape by the GiST index, and
ST_AsMVTGeom/ST_AsMVT encode one feature per cell. The tile
is the events as every other reader sees them: a sensitive event is moved to the centre of
its grid cell and drawn no finer than "area" here too (the table keeps what the files say;
geodata.privacy coarsens the files' readers the same way).
"""

from __future__ import annotations

from sqlalchemy import (
    Connection,
    Float,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from almaty_map.database.eventsql import conditions, without_jit
from almaty_map.database.schema import SRID, events
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.model import (
    GEO_PRECISIONS,
    SENSITIVE_GRID_DEG,
    SENSITIVE_MIN_PRECISION,
)

LAYER = "events"
# Units across a tile (MVT's usual 4096), and the margin kept beyond its edges, so a symbol
# whose centre lies just outside still reaches into the tile.
EXTENT = 4096
BUFFER = 64
WEB_MERCATOR = 3857
# Half the side of Web Mercator's square world, in metres.
WORLD_HALF = 20037508.342789244
# Points this close (in pixels of a 256-pixel tile) with the same category and precision
# draw one symbol, so a tile carries one feature for them (see ``tile``).
TILE_PIXELS = 256
MERGE_PX = 4
CELLS_PER_TILE = TILE_PIXELS // MERGE_PX
# The zoom whose cells the stored keys (tile_x, tile_y) number: 2^30 across the world.
KEY_ZOOM = 24
ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


def tile(connection: Connection, z: int, x: int, y: int, flt: EventFilter) -> bytes:
    """The tile at zoom ``z``, column ``x``, row ``y`` of WebMercatorQuad, holding the
    events that pass ``flt`` (its time and categories; the caller allows nothing else).

    Points that fall in the same cell of MERGE_PX pixels, with the same category and
    precision, draw the same symbol: they are one feature, the earliest loaded, carrying
    how many they are (``n``). Cells are aligned to tile edges, so a cell in two tiles'
    margins is the same feature in both.
    """
    without_jit(connection)
    bounds = func.ST_MakeEnvelope(-WORLD_HALF, -WORLD_HALF, WORLD_HALF, WORLD_HALF, WEB_MERCATOR)
    envelope = func.ST_TileEnvelope(z, x, y, bounds)
    margin = func.ST_TileEnvelope(z, x, y, bounds, BUFFER / EXTENT)
    # Shapes are found by their box (points, sensitive ones too, by their tile keys).
    cells = _cells(z, x, y, func.ST_Transform(margin, SRID), flt)
    encoded = func.ST_AsMVTGeom(
        func.ST_Transform(_shown_geometry(), WEB_MERCATOR), envelope, EXTENT, BUFFER, True
    ).label("geom")
    rows = (
        select(
            encoded,
            events.c.id,
            events.c.category,
            func.to_char(func.timezone("UTC", events.c.start), ISO_UTC).label("start"),
            func.to_char(func.timezone("UTC", events.c.end), ISO_UTC).label("end"),
            _shown_precision().label("geo_precision"),
            events.c.time_precision,
            cells.c.n,
        )
        .select_from(cells.join(events, events.c.position == cells.c.position))
        .order_by(events.c.position)
        .subquery("shown")
    )
    kept = select(rows).where(rows.c.geom.is_not(None)).subquery("kept")
    statement = select(
        func.coalesce(func.ST_AsMVT(literal_column("kept"), LAYER, EXTENT, "geom"), literal(b""))
    ).select_from(kept)
    return bytes(connection.execute(statement).scalar_one())


def _cells(z: int, x: int, y: int, near, flt: EventFilter):
    """Per cell (a shape other than a point is a cell of its own), category and precision:
    the first event's position and how many there are. A point's cell is its stored tile
    key shifted to zoom ``z`` (migration 0002): integers grouped, no function per row."""
    shift = KEY_ZOOM - z
    lo_x, hi_x = _key_range(x, shift)
    lo_y, hi_y = _key_range(y, shift)
    points = and_(events.c.tile_x.between(lo_x, hi_x), events.c.tile_y.between(lo_y, hi_y))
    shapes = and_(events.c.tile_x.is_(None), events.c.geom.op("&&")(near))
    column = events.c.tile_x.op(">>")(shift)
    row = events.c.tile_y.op(">>")(shift)
    alone = case((events.c.tile_x.is_(None), events.c.position))
    found = (
        select(
            events.c.position,
            events.c.category,
            column.label("cx"),
            row.label("cy"),
            alone.label("alone"),
            _shown_precision().label("precision"),
        )
        .where(points, *conditions(flt))
        .union_all(
            select(
                events.c.position, events.c.category, column, row, alone, _shown_precision()
            ).where(shapes, *conditions(flt))
        )
        .subquery("found")
    )
    return (
        select(func.min(found.c.position).label("position"), func.count().label("n"))
        .group_by(found.c.cx, found.c.cy, found.c.alone, found.c.category, found.c.precision)
        .subquery("cells")
    )


def _key_range(index: int, shift: int) -> tuple[int, int]:
    """The keys of a tile's column (or row) and of the one cell beyond each edge: the
    tile's margin (BUFFER of EXTENT) is one cell of MERGE_PX pixels."""
    first = (index * CELLS_PER_TILE - 1) << shift
    last = ((index + 1) * CELLS_PER_TILE + 1 << shift) - 1
    return max(first, 0), last


def _shown_geometry():
    """The stored shape, or for a sensitive event the centre of its grid cell (as
    geodata.privacy.coarsen places it, rounded to six decimals)."""
    centre = func.ST_Centroid(events.c.geom)

    def cell(coordinate):
        middle = (func.floor(coordinate / SENSITIVE_GRID_DEG) + 0.5) * SENSITIVE_GRID_DEG
        return cast(func.round(cast(middle, Numeric), 6), Float)

    point = func.ST_SetSRID(
        func.ST_MakePoint(cell(func.ST_X(centre)), cell(func.ST_Y(centre))), SRID
    )
    return case((events.c.sensitive, point), else_=events.c.geom)


def _shown_precision():
    """A sensitive event's precision, no finer than the grid it was moved to."""
    finer = GEO_PRECISIONS[: GEO_PRECISIONS.index(SENSITIVE_MIN_PRECISION)]
    coarsened = and_(events.c.sensitive, events.c.geo_precision.in_(finer))
    return case((coarsened, literal(SENSITIVE_MIN_PRECISION)), else_=events.c.geo_precision)
