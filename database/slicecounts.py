"""The time control's figures for a selection too large to carry: its span and how many
events each slice holds, counted by PostgreSQL.

The page of a million events carries none of them, yet its time control still says how many
each slice holds: one GROUP BY over the slices, each an index range on the start times
(bounded below by the longest event, as geodata.filtering bounds its binary search).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, DateTime, Integer, and_, column, func, or_, select, values

from almaty_map.database.eventsql import conditions, without_jit
from almaty_map.database.schema import events
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.timeslices import Slice

ONE_NS = pd.Timedelta(1, "ns")


@dataclass(frozen=True)
class Span:
    """The selection's first start, the exclusive end of its last event, and its longest
    event (end minus start), as the slicing and the counts need them; and the box round
    its places (as stored: a sensitive place's grid cell is within a hundredth of a degree),
    which the map opens on."""

    count: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    longest: pd.Timedelta
    box: tuple[float, float, float, float] | None = None


def span(connection: Connection, flt: EventFilter) -> Span:
    without_jit(connection)
    ends = func.coalesce(events.c.end, events.c.start)
    extent = func.ST_Extent(events.c.geom)
    row = connection.execute(
        select(
            func.count(),
            func.min(events.c.start),
            func.max(events.c.start),
            func.max(ends),
            func.max(ends - events.c.start),
            *(f(extent) for f in (func.ST_XMin, func.ST_YMin, func.ST_XMax, func.ST_YMax)),
        ).where(*conditions(flt))
    ).one()
    count, first, latest_start, latest_end, longest, *box = row
    if not count:
        return Span(0, None, None, pd.Timedelta(0))
    last = max(pd.Timestamp(latest_end), pd.Timestamp(latest_start) + ONE_NS)
    return Span(count, pd.Timestamp(first), last, pd.Timedelta(longest), tuple(box))


def slice_counts(
    connection: Connection, slices: list[Slice], flt: EventFilter, longest: pd.Timedelta
) -> list[int]:
    """Events of the selection overlapping each slice (an event in several is in each)."""
    if not slices:
        return []
    without_jit(connection)
    bounds = values(
        column("i", Integer),
        column("lo", DateTime(timezone=True)),
        column("hi", DateTime(timezone=True)),
        name="slices",
    ).data([(i, s.start.to_pydatetime(), s.end.to_pydatetime()) for i, s in enumerate(slices)])
    reach = longest.to_pytimedelta()
    overlap = and_(
        events.c.start < bounds.c.hi,
        events.c.start >= bounds.c.lo - reach,  # what the index range starts from
        or_(
            func.coalesce(events.c.end, events.c.start) > bounds.c.lo,
            events.c.start >= bounds.c.lo,
        ),
    )
    statement = (
        select(bounds.c.i, func.count())
        .select_from(bounds.join(events, overlap))
        .where(*conditions(flt))
        .group_by(bounds.c.i)
    )
    found = dict(connection.execute(statement).all())
    return [int(found.get(i, 0)) for i in range(len(slices))]
