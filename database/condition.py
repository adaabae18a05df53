"""A whole EventFilter as one SQL condition: its parts (``selection``) and its CQL2 filter
(``cql2sql``), whole where it translates exactly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, true

from almaty_map.database.cql2sql import cql_condition
from almaty_map.database.schema import events
from almaty_map.database.selection import holding_text, meeting_box, overlapping
from almaty_map.geodata.filtering import EventFilter


@dataclass(frozen=True)
class Condition:
    """The rows to read, and whether they are exactly the filter's: when not, part of its
    CQL2 filter was left to the files' evaluator, and ``where`` only narrows the rows."""

    where: ColumnElement[bool]
    exact: bool


def condition(flt: EventFilter, tz: ZoneInfo, longest: dt.timedelta | None = None) -> Condition:
    """The filter as SQL; ``tz`` is the dataset's, in which CQL2 reads a bare date, and
    ``longest`` the version's longest event (``selection.overlapping``)."""
    parts: list[ColumnElement[bool]] = []
    exact = True
    if flt.start is not None or flt.end is not None:
        parts.append(overlapping(flt.start, flt.end, longest))
    if flt.categories is not None:
        parts.append(events.c.category.in_(flt.categories) if flt.categories else false())
    if flt.bbox is not None:
        parts.append(meeting_box(flt.bbox))
    if flt.text is not None:
        parts.append(holding_text(flt.text))
    if flt.cql is not None:
        cql, exact = cql_condition(flt.cql, tz, longest)
        parts.append(cql)
    return Condition(and_(true(), *parts), exact)
