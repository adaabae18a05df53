"""The desk's list of events: every published event and every new one still in revision,
each with its status (its latest revision's state; "published" with no open revision).

An open revision's title, category and start are shown, not the published ones: the list
is where an editor finds their own work; its time and area filters are the reader's own
(``database.selection``), applied to those shown values. A page of it is one query, which
reads the published events in the list's order from an index, only as far as the page
(a million events: tens of milliseconds), and the few open revisions whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Text,
    case,
    cast,
    false,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.sql.util import ClauseAdapter

from almaty_map.database.eventsql import without_jit
from almaty_map.database.schema import SRID, events, revisions, users
from almaty_map.database.selection import longest_span, meeting_box, overlapping
from almaty_map.geodata.bbox import BBox

STATUSES = ("draft", "in_review", "returned", "published")
OPEN = ("draft", "in_review", "returned")
PAGE = 100
MAX_PAGE = 1000


@dataclass(frozen=True)
class DeskEvent:
    event_id: str
    title: str | None
    category: str | None
    start: dt.datetime | None
    status: str
    number: int  # the latest revision's (0: never revised)
    revision_id: int | None
    author: str | None  # the latest revision's
    changed_at: dt.datetime | None


def desk_events(
    connection: Connection,
    status: str | None = None,
    *,
    category: str | None = None,
    text: str | None = None,
    span: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None),
    bbox: BBox | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> list[DeskEvent]:
    """A page of the events in the readers' order (start, then id), filtered by status,
    category, a text in the title (case-insensitive), a time span [lo, hi) and a box as
    the reader's filters take them (``database.selection``: a sensitive event meets a box
    at its published cell only, so the box locates it no better than the reader's API);
    ValueError for a status that is not one of STATUSES."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status is {status!r}; expected one of {', '.join(STATUSES)}")
    limit = max(0, min(int(limit), MAX_PAGE))
    offset = max(0, min(int(offset), 2**31))
    longest = longest_span(connection) if span[0] is not None else None
    filters = _Filters(category, text, _placed(span, bbox, longest), _placed(span, bbox))
    rows = _page(status, filters, limit, offset)
    without_jit(connection)  # compiling the page's expressions took longer than reading it
    return [DeskEvent(**row) for row in connection.execute(rows).mappings()]


def _page(status: str | None, filters: _Filters, limit: int, offset: int):
    """The page's statement: the first published events and every open revision (a
    few), merged in the list's order; then each row's latest revision, for the page's
    rows only."""
    latest = _latest()
    parts = []
    if status in (None, "published"):
        published = _published(latest, filters)
        parts.append(published.order_by(*_order(published.selected_columns)).limit(offset + limit))
    if status != "published":
        parts.append(_open(latest, filters, status))
    listed = union_all(*parts).subquery("listed")
    page = select(listed).order_by(*_order(listed.c)).limit(limit).offset(offset).subquery("page")
    return (
        select(
            page.c.event_id,
            page.c.title,
            page.c.category,
            page.c.start,
            page.c.status,
            func.coalesce(latest.c.number, 0).label("number"),
            latest.c.id.label("revision_id"),
            latest.c.author_name.label("author"),
            latest.c.created_at.label("changed_at"),
        )
        .join_from(page, latest, latest.c.event_id == page.c.event_id, isouter=True)
        .order_by(*_order(page.c))
    )


def _order(columns) -> tuple:
    """The list's order: start, then id byte by byte (whatever the database's locale)."""
    return columns.start.nulls_last(), columns.event_id.collate("C")


@dataclass(frozen=True)
class _Filters:
    category: str | None
    text: str | None
    placed: list  # the reader's time and box conditions, written on ``events``
    drafted: list  # the same without the published events' longest span (``_placed``)


def _latest():
    """Each revised event's latest revision and its author: one row per event revised
    at the desk (a few thousand at most, where the events are a million)."""
    return (
        select(revisions, users.c.name.label("author_name"))
        .join(users, users.c.id == revisions.c.author_id)
        .ext(distinct_on(revisions.c.event_id))
        .order_by(revisions.c.event_id, revisions.c.number.desc())
        .cte("latest")
    )


def _published(latest, filters: _Filters):
    """The events whose latest revision is not open, as published. The page takes its
    first rows in the list's order (as many as the page's end: no more of them can be
    on it), which ``events_start_id`` and ``events_category_start_id`` (migration 0009)
    give without sorting every event; the few open ones are left out by their ids."""
    open_ids = select(latest.c.event_id).where(latest.c.state.in_(OPEN))
    conditions = [events.c.id.not_in(open_ids), *filters.placed]
    if filters.category is not None:
        conditions.append(events.c.category == _kept(filters.category))
    if filters.text:
        conditions.append(_holding(events.c.title, filters.text))
    return select(
        events.c.id.label("event_id"),
        events.c.title,
        events.c.category,
        events.c.start,
        cast(literal("published"), Text).label("status"),
    ).where(*conditions)


def _open(latest, filters: _Filters, status: str | None):
    """The events whose latest revision is open, with its draft's title, category and
    start, and its place and time for the reader's conditions (``_shown``)."""
    drafted = latest.c.feature["properties"]
    conditions = [latest.c.state.in_(OPEN) if status is None else latest.c.state == status]
    if filters.category is not None:
        conditions.append(drafted["category"].astext == _kept(filters.category))
    if filters.text:
        conditions.append(_holding(drafted["title"].astext, filters.text))
    listed = select(
        latest.c.event_id,
        drafted["title"].astext.label("title"),
        drafted["category"].astext.label("category"),
        _time(drafted["start"].astext).label("start"),
        latest.c.state.label("status"),
    )
    if filters.drafted:
        shown = _shown(latest)
        adapt = ClauseAdapter(shown, adapt_on_names=True).traverse
        conditions.extend(adapt(c) for c in filters.drafted)
        listed = listed.join(shown, shown.c.id == latest.c.event_id)
    return listed.where(*conditions)


def _placed(span, bbox: BBox | None, longest: dt.timedelta | None = None) -> list:
    """The reader's own time and box conditions, written on ``events``; ``_open`` moves
    them onto each open revision's draft. ``longest``, the published events' longest
    span, bounds how early one reaching the span may start, so a time filter walks the
    index from near its start (a draft may be longer: its conditions go without it)."""
    lo, hi = span
    found = []
    if lo is not None or hi is not None:
        found.append(overlapping(lo, hi, longest))
    if bbox is not None:
        found.append(meeting_box(bbox))
    return found


def _shown(latest):
    """Each open revision's start, end, place and sensitivity as drafted, under the names
    of ``events``' columns so the reader's conditions apply to it unchanged."""
    drafted = latest.c.feature["properties"]
    geometry = func.ST_SetSRID(func.ST_GeomFromGeoJSON(latest.c.feature["geometry"].astext), SRID)
    sensitive = func.coalesce(cast(drafted["sensitive"].astext, Boolean), false())
    return (
        select(
            latest.c.event_id.label("id"),
            _time(drafted["start"].astext).label("start"),
            _time(drafted["end"].astext).label("end"),
            geometry.label("geom"),
            sensitive.label("sensitive"),
        )
        .where(latest.c.state.in_(OPEN))
        .subquery("shown")
    )


def _holding(column, text: str):
    return column.ilike("%" + _escaped(_kept(text)) + "%", escape="\\")


def _time(text):
    """A drafted start as a time when it reads as one (the checks passed, so it does,
    unless it is a bare date or a local time the files' reader would have placed)."""
    iso = text.op("~")(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)\Z")
    return case((iso, cast(text, DateTime(timezone=True))), else_=None)


def _kept(text: str) -> str:
    """``text`` without what no stored text holds (NUL; a lone surrogate), which the
    database would refuse as a parameter rather than match nothing."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _escaped(text: str) -> str:
    """``text`` matched literally inside LIKE: its own % and _ are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
