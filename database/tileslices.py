"""The cells of each day, built once per version, so a day's tile reads them.

A reader switches between the page's time slices, and the tiles of a day were grouped from
the events on every first request: a day's tile of the city at zoom 11 groups the ~150,000
events overlapping that day (0.4-0.5 s of database at a million, every tile of the view
waiting on it). So a load groups them once, as it groups all times (database.tilecells):
for each day of the version (the reader's page's day slices, cut at the dataset's local
midnights), the points overlapping it, per cell of zooms CELL_ZOOM down to 0, category
and precision. A tile of those zooms whose datetime is one of those days then reads its
day's rows of ``slice_cells``. An event in several days is in each (as in the page's
counts). A version of more than MAX_DAYS days builds none: each day costs the grouping of
its events at load, and such a version's readers slice by week or month. A publication at
the editors' desk regroups only the cells its event left and entered, in the days it was
and is in (``refresh_days``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import (
    Connection,
    Integer,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)

from almaty_map.database.eventsql import sql_instant
from almaty_map.database.schema import events, slice_cells, tile_slices
from almaty_map.database.tilecells import (
    CELL_ZOOM,
    finest_grouping,
    holding_cells,
    holding_events,
)
from almaty_map.database.tilegrid import KEY_ZOOM, WEB_MERCATOR, shown_geometry
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.timeslices import Slice, SlicingError, make_slices

MAX_DAYS = 62
# The grouping of a million events' days, and the joins' hashes, in memory.
WORK_MEMORY = "256MB"
_GROUPED = ("slice", "zoom", "cx", "cy", "category", "geo_precision", "position", "n")
_SHOWN = ("id", "start", "end", "time_precision", "geom")


def rebuild_slices(connection: Connection, meta: Metadata) -> None:
    """The current events' cells for each of their days, in the caller's transaction (a
    load's readers see the cells of the version they see)."""
    connection.execute(delete(slice_cells))
    connection.execute(delete(tile_slices))
    connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEMORY}'"))
    days = _days(connection, meta)
    if not days:
        return
    rows = [
        {"number": k, "start": s.start.to_pydatetime(), "end": s.end.to_pydatetime()}
        for k, s in enumerate(days, 1)
    ]
    connection.execute(insert(tile_slices), rows)
    # Hash joins: a zoom's cells find their first event's row in the finer zoom by its
    # position, and a nested loop there (as the planner chose with the statistics of the
    # version before) reads every finer cell for each coarser one: minutes, not seconds.
    connection.execute(text("SET LOCAL enable_nestloop = off"))
    _insert_finest(connection)
    for z in range(CELL_ZOOM - 1, -1, -1):
        _insert_coarser(connection, z)
    connection.execute(text("RESET enable_nestloop"))  # the rest of the load plans freely
    connection.exec_driver_sql("ANALYZE slice_cells")


def stored_days(connection: Connection, event_id: str) -> list[int]:
    """The numbers of the stored days ``event_id`` overlaps (none if it is not an event)."""
    day = tile_slices.alias("day")
    query = select(day.c.number).where(events.c.id == event_id, *_overlapping(day))
    return list(connection.execute(query).scalars())


def refresh_days(
    connection: Connection, days: Sequence[int], keys: Sequence[tuple[int, int]]
) -> None:
    """Group again, in each of ``days``, the cells that hold the tile keys ``keys`` (an
    event published at the desk: where it was and where it is), at every zoom; the
    other cells stay as they are, and those regrouped hold what ``rebuild_slices`` would
    give them. A few cells of a few days: milliseconds, where regrouping the days would
    hold the reviewer's request for seconds at a million events."""
    for number in days:
        for z in range(CELL_ZOOM, -1, -1):
            connection.execute(
                delete(slice_cells).where(
                    slice_cells.c.slice == number, *holding_cells(slice_cells, keys, z, 0)
                )
            )
            if z == CELL_ZOOM:
                _insert_finest(connection, number, keys)
            else:
                _insert_coarser(connection, z, number, keys)


def stored_slice(connection: Connection, flt: EventFilter) -> int | None:
    """The number of the day whose cells were built for exactly ``flt``'s time, if any."""
    if flt.start is None or flt.end is None:
        return None
    query = select(tile_slices.c.number).where(
        tile_slices.c.start == sql_instant(flt.start),
        tile_slices.c.end == sql_instant(flt.end),
    )
    return connection.execute(query).scalar()


def _days(connection: Connection, meta: Metadata) -> list[Slice]:
    """The page's day slices of every event (web.tiledpage makes them from the same span),
    read from the time indexes; none past MAX_DAYS."""
    first, latest_start, latest_end = connection.execute(
        select(func.min(events.c.start), func.max(events.c.start), func.max(events.c.end))
    ).one()
    if first is None:
        return []
    last = pd.Timestamp(latest_start) + pd.Timedelta(1, "ns")
    if latest_end is not None:
        last = max(last, pd.Timestamp(latest_end))
    starts = pd.Series([pd.Timestamp(first).value]).to_numpy()
    try:
        days = make_slices(meta, starts, pd.Series([last.value]).to_numpy(), "day")
    except SlicingError:
        return []
    return days if len(days) <= MAX_DAYS else []


def _overlapping(day) -> list:
    """Events overlapping the day [start, end), as database.eventsql keeps a filter's time
    (an event without an end lasts an instant)."""
    reach = func.coalesce(events.c.end, events.c.start)
    return [
        events.c.start < day.c.end,
        or_(reach > day.c.start, events.c.start >= day.c.start),
    ]


def _insert_finest(
    connection: Connection,
    number: int | None = None,
    keys: Sequence[tuple[int, int]] | None = None,
) -> None:
    """Each day's points grouped per cell of CELL_ZOOM, with the first one's columns;
    of day ``number`` only, in the cells holding ``keys`` only, when given."""
    day = tile_slices.alias("day")
    keyed = finest_grouping()
    only = [] if number is None else [day.c.number == number]
    grouped = (
        select(
            day.c.number,
            literal(CELL_ZOOM),
            *keyed,
            func.min(events.c.position),
            func.count(),
        )
        .join_from(events, day, and_(*_overlapping(day)))
        .where(
            events.c.tile_x.is_not(None),
            *only,
            *holding_events(keys, KEY_ZOOM - CELL_ZOOM),
        )
        .group_by(day.c.number, *keyed)
        .subquery("grouped")
    )
    first = events.alias("first")
    rows = select(
        *grouped.c,
        first.c.id,
        first.c.start,
        first.c.end,
        first.c.time_precision,
        func.ST_Transform(shown_geometry(first), WEB_MERCATOR),
    ).join_from(grouped, first, first.c.position == grouped.c[6])
    _insert(connection, rows.order_by(*grouped.c[:4]))


def _insert_coarser(
    connection: Connection,
    z: int,
    number: int | None = None,
    keys: Sequence[tuple[int, int]] | None = None,
) -> None:
    """Zoom ``z``'s cells from zoom z + 1's (cells nest): the first event's columns are
    those of the finer cell it is first in, so no event is read again. ``number`` and
    ``keys`` as for ``_insert_finest``."""
    finer = slice_cells.alias("finer")
    only = [] if number is None else [finer.c.slice == number]
    half_x, half_y = finer.c.cx.op(">>")(1), finer.c.cy.op(">>")(1)
    grouped = (
        select(
            finer.c.slice,
            literal(z).label("zoom"),
            half_x.label("cx"),
            half_y.label("cy"),
            finer.c.category,
            finer.c.geo_precision,
            func.min(finer.c.position).label("position"),
            cast(func.sum(finer.c.n), Integer).label("n"),
        )
        .where(finer.c.zoom == z + 1, *only, *holding_cells(finer, keys, z, 1))
        .group_by(finer.c.slice, half_x, half_y, finer.c.category, finer.c.geo_precision)
        .subquery("grouped")
    )
    first = slice_cells.alias("first")
    on = and_(
        first.c.slice == grouped.c.slice,
        first.c.zoom == z + 1,
        first.c.position == grouped.c.position,
        # A few cells regrouped (``refresh_days``): their first events are read from
        # those cells through the address index, not looked for in the whole day.
        *holding_cells(first, keys, z, 1),
        *([] if number is None else [first.c.slice == number]),
    )
    rows = select(*grouped.c, *(first.c[name] for name in _SHOWN)).join_from(grouped, first, on)
    _insert(connection, rows.order_by(*grouped.c[:4]))


def _insert(connection: Connection, rows) -> None:
    """The rows in the index's order (zoom, slice, cx, cy): each is appended to the index
    rather than written into a page anywhere in it (a third of the build's time), and a
    tile's rows lie together in the table."""
    connection.execute(insert(slice_cells).from_select([*_GROUPED, *_SHOWN], rows))
