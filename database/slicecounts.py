"""The time control's figures for a selection too large to carry: its span and how many
events each slice holds, counted by PostgreSQL.

The page of a million events carries none of them, yet its time control still says how many
each slice holds: one GROUP BY, in one pass over the selection.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Connection, DateTime, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from almaty_map.database.eventsql import conditions, without_jit
from almaty_map.database.schema import events
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.timeslices import Slice

ONE_NS = pd.Timedelta(1, "ns")
ONE_US = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Span:
    """The selection's size, its first start and the exclusive end of its last event, as
    the slicing needs them; and the box round its places (as stored: a sensitive place's
    grid cell is within a hundredth of a degree), which the map opens on."""

    count: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    box: tuple[float, float, float, float] | None = None


def span(connection: Connection, flt: EventFilter, *only: ColumnElement[bool]) -> Span:
    """``only``: further conditions (one event's id, for what it adds to the whole)."""
    without_jit(connection)
    ends = func.coalesce(events.c.end, events.c.start)
    extent = func.ST_Extent(events.c.geom)
    row = connection.execute(
        select(
            func.count(),
            func.min(events.c.start),
            func.max(events.c.start),
            func.max(ends),
            *(f(extent) for f in (func.ST_XMin, func.ST_YMin, func.ST_XMax, func.ST_YMax)),
        ).where(*conditions(flt), *only)
    ).one()
    count, first, latest_start, latest_end, *box = row
    if not count:
        return Span(0, None, None)
    last = max(pd.Timestamp(latest_end), pd.Timestamp(latest_start) + ONE_NS)
    return Span(count, pd.Timestamp(first), last, tuple(box))


def slice_counts(connection: Connection, slices: list[Slice], flt: EventFilter) -> list[int]:
    """Events of the selection overlapping each slice (an event in several is in each).

    One pass: each event's first and last slice by binary search in the slices' bounds
    (width_bucket), counted per pair; the pairs are few, and spread over their slices
    here. The slices are ordered and disjoint, so an event [start, end) overlaps those
    from the first whose end is after its start to the last whose start is before its end.
    """
    if not slices:
        return []
    counts = [0] * (len(slices) + 1)
    for a, b, n in slice_pairs(connection, slices, flt):
        counts[a] += n
        counts[b + 1] -= n
    return list(itertools.accumulate(counts[:-1]))


def slice_pairs(
    connection: Connection, slices: list[Slice], flt: EventFilter, *only: ColumnElement[bool]
) -> list[tuple[int, int, int]]:
    """How many events of the selection overlap exactly the slices ``a`` to ``b``, for each
    such (a, b, count) that holds any (see ``slice_counts``); ``only`` as for ``span``."""
    without_jit(connection)
    stamps = ARRAY(DateTime(timezone=True))
    ends = bindparam("ends", [s.end.to_pydatetime() for s in slices], type_=stamps)
    starts = bindparam("starts", [s.start.to_pydatetime() for s in slices], type_=stamps)
    last_instant = func.greatest(
        func.coalesce(events.c.end, events.c.start) - ONE_US, events.c.start
    )
    first = func.width_bucket(events.c.start, ends).label("first")
    last = (func.width_bucket(last_instant, starts) - 1).label("last")
    statement = (
        select(first, last, func.count()).where(*conditions(flt), *only).group_by(first, last)
    )
    found = [(a, min(b, len(slices) - 1), n) for a, b, n in connection.execute(statement)]
    return [(a, b, n) for a, b, n in found if a <= b]
