"""The grid a vector tile groups its points on, and the point and precision readers see.

Points that fall in the same cell of MERGE_PX pixels, with the same category and precision,
draw the same symbol, so a tile carries one feature for them: the earliest loaded, with how
many they are. A point's cell at any zoom is its stored key (``tile_x``, ``tile_y``,
migration 0002: the cell at KEY_ZOOM) shifted right, so cells nest from zoom to zoom and are
aligned to tile edges. Shared by the tiles built from the events (database.tiles) and the
cells of the coarse zooms built at load (database.tilecells).
"""

from __future__ import annotations

from sqlalchemy import Float, Numeric, and_, case, cast, func, literal

from almaty_map.database.schema import SRID, events
from almaty_map.geodata.model import (
    GEO_PRECISIONS,
    SENSITIVE_GRID_DEG,
    SENSITIVE_MIN_PRECISION,
)

TILE_PIXELS = 256
MERGE_PX = 4
CELLS_PER_TILE = TILE_PIXELS // MERGE_PX
# The zoom whose cells the stored keys number: 2^30 across the world.
KEY_ZOOM = 24
WEB_MERCATOR = 3857


def key_range(index: int, z: int) -> tuple[int, int]:
    """The cells (at zoom ``z``) of a tile's column or row, and the one cell beyond each
    edge: the tile's margin (database.tiles.BUFFER of EXTENT) is one cell."""
    return index * CELLS_PER_TILE - 1, (index + 1) * CELLS_PER_TILE


def shown_geometry(table=events):
    """The stored shape, or for a sensitive event the centre of its grid cell (as
    geodata.privacy.coarsen places it, rounded to six decimals)."""
    centre = func.ST_Centroid(table.c.geom)

    def cell(coordinate):
        middle = (func.floor(coordinate / SENSITIVE_GRID_DEG) + 0.5) * SENSITIVE_GRID_DEG
        return cast(func.round(cast(middle, Numeric), 6), Float)

    point = func.ST_SetSRID(
        func.ST_MakePoint(cell(func.ST_X(centre)), cell(func.ST_Y(centre))), SRID
    )
    return case((table.c.sensitive, point), else_=table.c.geom)


def shown_precision(table=events):
    """A sensitive event's precision, no finer than the grid it was moved to."""
    finer = GEO_PRECISIONS[: GEO_PRECISIONS.index(SENSITIVE_MIN_PRECISION)]
    coarsened = and_(table.c.sensitive, table.c.geo_precision.in_(finer))
    return case((coarsened, literal(SENSITIVE_MIN_PRECISION)), else_=table.c.geo_precision)
