"""The filters the tiles and the time control's counts share, as SQL conditions on events.

They keep what geodata.filtering keeps, so a tile, a count and a page of items agree: an
event is the half-open interval [start, end), one without an end lasting an instant.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, or_, text

from almaty_map.database.schema import events
from almaty_map.geodata.filtering import EventFilter


def conditions(flt: EventFilter) -> list:
    """The time (events overlapping [flt.start, flt.end)) and the categories; the rest of
    a filter (box, text, CQL2) is the caller's to refuse or to apply."""
    found = []
    if flt.end is not None:
        found.append(events.c.start < sql_instant(flt.end))
    if flt.start is not None:
        lo = sql_instant(flt.start)
        found.append(or_(func.coalesce(events.c.end, events.c.start) > lo, events.c.start >= lo))
    if flt.categories is not None:
        found.append(events.c.category.in_(flt.categories))
    return found


def sql_instant(moment: pd.Timestamp) -> datetime:
    """PostgreSQL keeps microseconds: a bound between two is moved up to the next."""
    return moment.ceil("us").to_pydatetime()


def without_jit(connection: Connection) -> None:
    """PostgreSQL compiles a query it estimates as costly, and PostGIS's functions make
    every one look so: compiling took 2.8 s of a 100,000-event tile that runs in 0.3 s
    without it. Off for the rest of the transaction."""
    connection.execute(text("SET LOCAL jit = off"))
