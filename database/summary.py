"""What the version's events are as a whole (extent, time span), asked of the database once.

The count comes with the version; the extent needs a pass over every shape, so it is worked
out when a collection's description first asks for it, never when the server starts.
"""

from __future__ import annotations

import functools

import pandas as pd
from geoalchemy2 import functions as gf
from sqlalchemy import Engine, func, select

from almaty_map.database.errors import database_errors
from almaty_map.database.schema import events
from almaty_map.database.selection import shown_shape
from almaty_map.geodata.eventsummary import EventSummary, LaterSummary


def later_summary(engine: Engine, count: int, titles: dict[str, str]) -> LaterSummary:
    """The summary, asking the database the first time it is read only."""

    @functools.cache
    def summary() -> EventSummary:
        if not count:
            return EventSummary(0, None, None, None, titles)
        with database_errors(engine.url), engine.connect() as connection:
            return _read(connection, count, titles)

    return LaterSummary(count, summary)


def _read(connection, count: int, titles: dict[str, str]) -> EventSummary:
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
        )
    ).one()
    minx, miny, maxx, maxy, first, last_start, last_end = row
    last = max(last_start, last_end) if last_end is not None else last_start
    return EventSummary(
        count, (minx, miny, maxx, maxy), pd.Timestamp(first), pd.Timestamp(last), titles
    )
