"""An EventFilter as a SQL condition on the ``events`` table, chosen so the indexes answer it.

Every part gives exactly what ``geodata.filtering`` gives on the same version: times are
half-open [start, end) (``intervals``) on the btree indexes of start and end; the box meets
an event's shown shape (a sensitive event is shown at its coarsened point, as the loader
makes it) through the GiST index; text is ILIKE on the trigram indexes. A CQL2 filter is
translated by ``cql2sql``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from geoalchemy2 import functions as gf
from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Integer,
    Numeric,
    and_,
    any_,
    bindparam,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from almaty_map.database.schema import SRID, events
from almaty_map.geodata.bbox import BBox, bbox_areas
from almaty_map.geodata.model import SENSITIVE_GRID_DEG

# What an ORDER BY must say to give the files' order: (start, id), ids by code point.
ORDER = (events.c.start, events.c.id.collate("C"))


def overlapping(
    lo: pd.Timestamp | None, hi: pd.Timestamp | None, longest: dt.timedelta | None = None
) -> ColumnElement[bool]:
    """Events whose [start, end) overlaps [lo, hi): start < hi, and an exclusive end after
    lo, where an event without an end (or ending at its start) is [start, start + 1 ns).
    The database keeps microseconds, so nanosecond bounds are rounded the way that keeps
    each comparison exact.

    The end's test is an OR no index answers, so what it implies comes with it: the event
    reaches lo, and (given ``longest``, the version's longest event, see ``longest_span``)
    it started at most that long before lo. On ``events_start_reach`` a page then starts
    its walk near lo and skips, inside the index, the events that ended before it; without
    them it read every event before lo (3.5 s at a million). Both bounds are constants, so
    the planner sizes the selection from its statistics."""
    parts: list[ColumnElement[bool]] = []
    if hi is not None:
        parts.append(events.c.start < _micro(hi.ceil("us")))
    if lo is not None:
        floor = _micro(lo.floor("us"))
        parts.append(or_(events.c.end > floor, events.c.start >= _micro(lo.ceil("us"))))
        parts.append(_reach() >= floor)
        if longest is not None:
            parts.append(events.c.start >= floor - longest)
    return and_(true(), *parts)


def longest_span(connection: Connection) -> dt.timedelta:
    """The longest event's length in the version (none: zero), read in one probe of
    ``events_span``. PostgreSQL gives it in days of 24 hours, as Python does: a bound
    taken from it in Python is exact, where one taken in SQL would move with the
    session's time zone (a day there is a calendar day)."""
    span = func.max(_reach() - events.c.start)
    return connection.execute(select(span)).scalar() or dt.timedelta(0)


def _reach() -> ColumnElement:
    """How far an event reaches: its end, or its start without one (as indexed)."""
    return func.greatest(events.c.end, events.c.start)


def _micro(at: pd.Timestamp) -> dt.datetime:
    return at.tz_convert("UTC").to_pydatetime()


def shown_shape() -> ColumnElement:
    """Each event's shape as published: a sensitive one at the centre of its grid cell
    (``privacy.coarsen``), the others as stored."""
    centre = gf.ST_Centroid(events.c.geom)
    grid = SENSITIVE_GRID_DEG

    def cell(coordinate: ColumnElement) -> ColumnElement:
        middle = (func.floor(coordinate / grid) + 0.5) * grid
        return func.round(middle.cast(Numeric()), 6).cast(Double())

    coarse = gf.ST_SetSRID(gf.ST_MakePoint(cell(gf.ST_X(centre)), cell(gf.ST_Y(centre))), SRID)
    return case((events.c.sensitive, coarse), else_=events.c.geom)


def meeting_box(bbox: BBox) -> ColumnElement[bool]:
    """Shown shapes that meet the box (edges included; in two parts across the
    antimeridian). The stored shape is tested for the events shown as they are, so the
    planner sees a plain box query on the GiST index and estimates it well; a sensitive
    event's coarsened point lies within a grid cell of its stored shape, so the wider box
    never leaves one out."""
    parts = []
    for minx, miny, maxx, maxy in bbox_areas(bbox):
        # A box of no width or height is a line or a point (ST_Envelope makes it one):
        # GEOS finds nothing in a collapsed polygon, and the files find what crosses it.
        box = gf.ST_Envelope(gf.ST_MakeEnvelope(minx, miny, maxx, maxy, SRID))
        parts.append(and_(gf.ST_Intersects(events.c.geom, box), not_(events.c.sensitive)))
        near = events.c.geom.op("&&")(gf.ST_Expand(box, SENSITIVE_GRID_DEG))
        parts.append(and_(events.c.sensitive, near, gf.ST_Intersects(shown_shape(), box)))
    return or_(*parts)


def holding_text(text: str) -> ColumnElement[bool]:
    """Text in the title, description, place or one of the actors, in any case. A command
    line's argument that is not whole characters matches nothing, as in memory."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return false()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    actor = func.json_array_elements_text(events.c.actors).table_valued("value").alias("actor")
    in_actors = select(literal(1)).select_from(actor).where(actor.c.value.ilike(pattern))
    columns = [events.c.title, events.c.description, events.c.place]
    return or_(*(c.ilike(pattern) for c in columns), in_actors.exists())


def at_positions(positions: list[int]) -> ColumnElement[bool]:
    """The events at these positions, as one array parameter: an IN list of a page's
    hundred is a hundred parameters, which the driver parses out of the statement's text
    on every request (2 ms of a page's time on a busy machine)."""
    return events.c.position == any_(bindparam("positions", positions, type_=ARRAY(Integer)))
