"""What the version's events are as a whole (extent, time span), asked of the database once.

The count comes with the version; the extent needs a pass over every shape, which ``db
load`` makes once and keeps with the version (``wholecounts``). A version loaded before it
kept them is read when a collection's description first asks, never when the server starts.
"""

from __future__ import annotations

import functools

import pandas as pd
from geoalchemy2 import functions as gf
from sqlalchemy import ColumnElement, Engine, func, select

from almaty_map.database.errors import database_errors
from almaty_map.database.schema import events
from almaty_map.database.selection import shown_shape
from almaty_map.geodata.eventsummary import EventSummary, LaterSummary


def later_summary(
    engine: Engine, count: int, titles: dict[str, str], stored: list | None = None
) -> LaterSummary:
    """The summary, from what the load stored (``summary_row``) when it did, else asking
    the database the first time it is read."""
    if stored is not None:
        found = _summary(count, titles, *stored)
        return LaterSummary(count, lambda: found)

    @functools.cache
    def summary() -> EventSummary:
        if not count:
            return EventSummary(0, None, None, None, titles)
        with database_errors(engine.url), engine.connect() as connection:
            return _summary(count, titles, *summary_row(connection))

    return LaterSummary(count, summary)


def summary_row(connection, *only: ColumnElement[bool]) -> list:
    """The shown shapes' extent and the first and last instants (nanoseconds, UTC): one
    pass over every event, which ``db load`` makes once and keeps (``wholecounts``);
    ``only``: of these events (one event's, for what it adds to the whole)."""
    shape = shown_shape()
    row = connection.execute(
        select(
            func.min(gf.ST_XMin(shape)),
            func.min(gf.ST_YMin(shape)),
            func.max(gf.ST_XMax(shape)),
            func.max(gf.ST_YMax(shape)),
            func.min(events.c.start),
            func.max(events.c.start),
            func.max(events.c.end),
        ).where(*only)
    ).one()
    minx, miny, maxx, maxy, first, last_start, last_end = row
    if first is None:
        return [None, None, None]
    last = max(last_start, last_end) if last_end is not None else last_start
    return [[minx, miny, maxx, maxy], pd.Timestamp(first).value, pd.Timestamp(last).value]


def _summary(
    count: int, titles: dict[str, str], box: list | None, first: int | None, last: int | None
) -> EventSummary:
    if not count or box is None:
        return EventSummary(0, None, None, None, titles)
    at = functools.partial(pd.Timestamp, tz="UTC")
    return EventSummary(count, tuple(box), at(first), at(last), titles)
