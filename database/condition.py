"""A whole EventFilter as one SQL condition: its parts (``selection``) and, for a CQL2
filter, the conditions that narrow its candidates (``cqlnarrowing``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, true

from almaty_map.database.cqlnarrowing import cql_narrowing
from almaty_map.database.schema import events
from almaty_map.database.selection import holding_text, meeting_box, overlapping
from almaty_map.geodata.filtering import EventFilter


def condition(
    flt: EventFilter, tz: ZoneInfo, longest: dt.timedelta | None = None
) -> ColumnElement[bool]:
    """The rows passing every part of the filter but CQL2, which is only narrowed here
    (``cqlnarrowing``); ``tz`` is the dataset's, in which CQL2 reads a bare date, and
    ``longest`` the version's longest event (``selection.overlapping``)."""
    parts: list[ColumnElement[bool]] = []
    if flt.start is not None or flt.end is not None:
        parts.append(overlapping(flt.start, flt.end, longest))
    if flt.categories is not None:
        parts.append(events.c.category.in_(flt.categories) if flt.categories else false())
    if flt.bbox is not None:
        parts.append(meeting_box(flt.bbox))
    if flt.text is not None:
        parts.append(holding_text(flt.text))
    if flt.cql is not None:
        parts.extend(cql_narrowing(flt.cql, tz))
    return and_(true(), *parts)
