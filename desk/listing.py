"""The desk's list of events: every published event and every new one still in revision,
each with its status (its latest revision's state; "published" with no open revision).

An open revision's title, category and start are shown, not the published ones: the list
is where an editor finds their own work. A page of it is one query, so the list of a
hundred thousand events is read a page at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, DateTime, and_, case, cast, func, select
from sqlalchemy.dialects.postgresql import distinct_on

from almaty_map.database.schema import events, revisions, users

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
    limit: int = PAGE,
    offset: int = 0,
) -> list[DeskEvent]:
    """A page of the events in the readers' order (start, then id), filtered by status,
    category and a text in the title (case-insensitive); ValueError for a status that
    is not one of STATUSES."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status is {status!r}; expected one of {', '.join(STATUSES)}")
    limit = max(0, min(int(limit), MAX_PAGE))
    offset = max(0, min(int(offset), 2**31))
    rows = _listed(connection, status, category, text).limit(limit).offset(offset)
    return [DeskEvent(**row) for row in connection.execute(rows).mappings()]


def _listed(connection: Connection, status: str | None, category: str | None, text: str | None):
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
    conditions = []
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
