"""The cells of the coarse zooms, built once per version, for tiles of all times.

A tile of the whole city at zoom 11 groups every event in it: a million rows, seconds
however they are read. A reader's first view is such a tile, for all times: so each load
groups the points once, per zoom from CELL_ZOOM down to 0 (each zoom from the one finer:
cells nest), keeping per cell, category and precision the first event's position, how
many there are, and what a tile's feature needs of that first event. A tile of those zooms
without a datetime is then read from ``tile_cells`` (tens of thousands of rows at most),
with or without a category filter (the rows are per category). A tile with a datetime is
built from the events (database.tiles).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Integer, and_, cast, delete, func, insert, literal, or_, select

from almaty_map.database.schema import events, tile_cells
from almaty_map.database.tilegrid import (
    KEY_ZOOM,
    WEB_MERCATOR,
    shown_geometry,
    shown_precision,
)

# The finest zoom built: its cells are ~40 m, and a city's events make ~100,000 of them.
CELL_ZOOM = 12
_GROUPED = ("zoom", "cx", "cy", "category", "geo_precision", "position", "n")


def rebuild(connection: Connection, keys: Sequence[tuple[int, int]] | None = None) -> None:
    """The cells of the current events, every zoom, in the caller's transaction (so a
    load's readers see the cells of the version they see). ``keys``: only the cells that
    hold these tile keys (``tile_x``, ``tile_y``: an event published at the desk, where it
    was and where it is), at every zoom; the other cells stay as they are."""
    shift = KEY_ZOOM - CELL_ZOOM
    connection.execute(delete(tile_cells).where(*holding_cells(tile_cells, keys, CELL_ZOOM, 0)))
    keyed = finest_grouping()
    finest = (
        select(literal(CELL_ZOOM), *keyed, func.min(events.c.position), func.count())
        .where(events.c.tile_x.is_not(None), *holding_events(keys, shift))
        .group_by(*keyed)
    )
    _insert(connection, finest)
    for z in range(CELL_ZOOM - 1, -1, -1):
        if keys is not None:
            connection.execute(delete(tile_cells).where(*holding_cells(tile_cells, keys, z, 0)))
        finer = tile_cells.alias("finer")
        half_x, half_y = finer.c.cx.op(">>")(1), finer.c.cy.op(">>")(1)
        coarser = (
            select(
                literal(z),
                half_x,
                half_y,
                finer.c.category,
                finer.c.geo_precision,
                func.min(finer.c.position),
                cast(func.sum(finer.c.n), Integer),
            )
            .where(finer.c.zoom == z + 1, *holding_cells(finer, keys, z, 1))
            .group_by(half_x, half_y, finer.c.category, finer.c.geo_precision)
        )
        _insert(connection, coarser)
    if keys is None:
        connection.exec_driver_sql("ANALYZE tile_cells")


def finest_grouping() -> tuple:
    """What the events are grouped by at CELL_ZOOM: the cell, the category and the
    precision shown (all times here, each day in database.tileslices)."""
    shift = KEY_ZOOM - CELL_ZOOM
    column, row = events.c.tile_x.op(">>")(shift), events.c.tile_y.op(">>")(shift)
    return column, row, events.c.category, shown_precision()


def holding_cells(table, keys: Sequence[tuple[int, int]] | None, z: int, finer: int) -> list:
    """Conditions selecting the rows of ``table`` (zoom ``z + finer``; ``tile_cells`` or
    ``slice_cells``) inside the cells of zoom ``z`` that hold ``keys`` (none: every row);
    ranges, so the address index answers."""
    if keys is None:
        return [] if finer else [literal(True)]
    span = 1 << finer
    shift = KEY_ZOOM - z
    within = [
        and_(
            table.c.zoom == z + finer,
            table.c.cx.between((x >> shift) * span, (x >> shift) * span + span - 1),
            table.c.cy.between((y >> shift) * span, (y >> shift) * span + span - 1),
        )
        for x, y in keys
    ]
    return [or_(*within)] if within else [literal(False)]


def holding_events(keys: Sequence[tuple[int, int]] | None, shift: int) -> list:
    """Conditions selecting the events in the finest cells that hold ``keys``."""
    if keys is None:
        return []
    within = [
        and_(
            events.c.tile_x.between((x >> shift) << shift, (((x >> shift) + 1) << shift) - 1),
            events.c.tile_y.between((y >> shift) << shift, (((y >> shift) + 1) << shift) - 1),
        )
        for x, y in keys
    ]
    return [or_(*within)] if within else [literal(False)]


def _insert(connection: Connection, grouped) -> None:
    """The grouped cells, each with its first event's id, times and shown point."""
    cells = grouped.subquery("grouped")
    first = cells.c[5]
    rows = select(
        *cells.c,
        events.c.id,
        events.c.start,
        events.c.end,
        events.c.time_precision,
        func.ST_Transform(shown_geometry(), WEB_MERCATOR),
    ).join_from(cells, events, events.c.position == first)
    names = [*_GROUPED, "id", "start", "end", "time_precision", "geom"]
    connection.execute(insert(tile_cells).from_select(names, rows))
