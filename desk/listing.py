"""The desk's list of events: every published event and every new one still in revision,
each with its status (its latest revision's state; "published" with no open revision).

An open revision's title, category and start are shown, not the published ones: the list
is where an editor finds their own work; its time and area filters are the reader's own
(``database.selection``), applied to those shown values. A page of it is one query, so
the list of a hundred thousand events is read a page at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Boolean, Connection, DateTime, and_, case, cast, false, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.sql.util import ClauseAdapter

from almaty_map.database.schema import SRID, events, revisions, users
from almaty_map.database.selection import meeting_box, overlapping
from almaty_map.geodata.bbox import BBox

STATUSES = ("draft", "in_review", "returned", "published")
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
    listed = _listed(status, category, text, _placed(span, bbox))
    rows = listed.limit(limit).offset(offset)
    return [DeskEvent(**row) for row in connection.execute(rows).mappings()]


def _placed(span, bbox: BBox | None) -> list:
    """The reader's own time and box conditions, written on ``events``; ``_listed`` moves
    them onto each row's shown version (an open revision's, else the published one)."""
    lo, hi = span
    found = [overlapping(lo, hi)] if lo is not None or hi is not None else []
    if bbox is not None:
        found.append(meeting_box(bbox))
    return found


def _listed(status: str | None, category: str | None, text: str | None, placed: list):
    latest = (
        select(revisions, users.c.name.label("author_name"))
        .join(users, users.c.id == revisions.c.author_id)
        .ext(distinct_on(revisions.c.event_id))
        .order_by(revisions.c.event_id, revisions.c.number.desc())
        .subquery("latest")
    )
    open_ = latest.c.state.in_(("draft", "in_review", "returned"))
    drafted = latest.c.feature["properties"]
    title = case((open_, drafted["title"].astext), else_=events.c.title)
    kind = case((open_, drafted["category"].astext), else_=events.c.category)
    start = case((open_, _time(drafted["start"].astext)), else_=events.c.start)
    state = case((open_, latest.c.state), else_="published")
    if placed:
        shown = _shown(latest, open_)
        placed = [ClauseAdapter(shown, adapt_on_names=True).traverse(c) for c in placed]
    listed = select(
        func.coalesce(events.c.id, latest.c.event_id).label("event_id"),
        title.label("title"),
        kind.label("category"),
        start.label("start"),
        state.label("status"),
        func.coalesce(latest.c.number, 0).label("number"),
        latest.c.id.label("revision_id"),
        latest.c.author_name.label("author"),
        latest.c.created_at.label("changed_at"),
    ).select_from(events.join(latest, latest.c.event_id == events.c.id, full=True))
    conditions = list(placed)
    if placed:
        listed = listed.join(shown, shown.c.id == func.coalesce(events.c.id, latest.c.event_id))
    if status is not None:
        conditions.append(state == status)
    if category is not None:
        conditions.append(kind == _kept(category))
    if text:
        conditions.append(title.ilike("%" + _escaped(_kept(text)) + "%", escape="\\"))
    if conditions:
        listed = listed.where(and_(*conditions))
    order_id = func.coalesce(events.c.id, latest.c.event_id).collate("C")
    return listed.order_by(start.nulls_last(), order_id)


def _shown(latest, open_):
    """Each listed event's start, end, place and sensitivity as the list shows it, under
    the names of ``events``' columns so the reader's conditions apply to it unchanged."""
    drafted = latest.c.feature["properties"]
    geometry = func.ST_SetSRID(func.ST_GeomFromGeoJSON(latest.c.feature["geometry"].astext), SRID)
    sensitive = func.coalesce(cast(drafted["sensitive"].astext, Boolean), false())
    return (
        select(
            func.coalesce(events.c.id, latest.c.event_id).label("id"),
            case((open_, _time(drafted["start"].astext)), else_=events.c.start).label("start"),
            case((open_, _time(drafted["end"].astext)), else_=events.c.end).label("end"),
            case((open_, geometry), else_=events.c.geom).label("geom"),
            case((open_, sensitive), else_=events.c.sensitive).label("sensitive"),
        )
        .select_from(events.join(latest, latest.c.event_id == events.c.id, full=True))
        .subquery("shown")
    )


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
