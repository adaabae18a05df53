"""Drafts of events and their way to review: saved with optimistic locking, then submitted.

An event's revisions are numbered 1, 2, … in ``revisions``; an event never revised is at 0.
An editor saves on top of the number they started from (``base_number``): if someone else
saved meanwhile the save is refused with what they changed, never written over. Each save
is a new revision (the open draft it replaces is marked superseded), so the history keeps
who wrote what; while a revision is in review the event cannot be edited, so a reviewer
publishes exactly what was submitted. Readers see none of this until ``publishing``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, insert, select, update

from almaty_map.database.dumping import stored_columns
from almaty_map.database.schema import events, revisions, users
from almaty_map.desk import rounds, withheld
from almaty_map.desk.audit import record
from almaty_map.desk.checking import FieldProblem, check_features, stored_feature
from almaty_map.desk.errors import FieldError, Forbidden, NotFound, WrongState
from almaty_map.desk.fields import FieldChange, feature_changes
from almaty_map.desk.keyorder import in_order_of

if TYPE_CHECKING:
    from almaty_map.desk.accounts import Account

# States a revision is in; an event's status is its latest revision's (published when
# it has none), with superseded shown as published.
OPEN = ("draft", "returned")
REASON_LIMIT = 500
# The longest id the dataset's checks accept (geodata.checks.ids).
ID_LIMIT = 200
ID_EXPECTED = "is not usable as an id; expected a non-empty text of at most 200 characters"
# Advisory locks on one event are taken as (this, hashtext(id)), apart from db load's.
EVENT_LOCK = 17_2022


@dataclass(frozen=True)
class Revision:
    id: int
    event_id: str
    number: int
    base_number: int | None
    state: str
    feature: dict
    reason: str | None
    author_id: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    reviewer_id: int | None
    reviewed_at: dt.datetime | None
    review_comment: str | None
    restored_from: int | None
    published_version: int | None
    original: dict | None
    after_load: int | None
    author: str
    reviewer: str | None
    correction_source: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Someone saved the event after ``base_number``: ``changes`` is what they changed
    (from the revision the editor started from to ``current``)."""

    current: Revision
    changes: list[FieldChange]


@dataclass(frozen=True)
class Invalid:
    problems: list[FieldProblem]


def save_draft(
    connection: Connection,
    event_id: str | None,
    feature: dict,
    base_number: int | None,
    author: Account,
) -> Revision | Conflict | Invalid:
    """Save ``feature`` as a new draft of ``event_id`` (None: a new event, whose id the
    feature carries). Refused with a Conflict when the event's latest revision is not
    ``base_number`` (None or 0 for an event never revised), with Invalid when the
    dataset's checks find errors; WrongState while a revision is in review."""
    if not isinstance(feature, dict):
        return Invalid([FieldProblem("", "is not a GeoJSON Feature object")])
    if event_id is not None:
        event_id = known_id(event_id)
    feature, problem = _with_id(feature, event_id)
    if problem is not None:
        return Invalid([problem])
    target = event_id if event_id is not None else str(_feature_id(feature))
    if not _usable_id(target):
        return Invalid([FieldProblem("properties.id", ID_EXPECTED)])
    lock_event(connection, target)
    latest = latest_revision(connection, target)
    published = published_feature(connection, target)
    if event_id is None and (latest is not None or published is not None):
        return Invalid([FieldProblem("properties.id", f"{target!r} is already an event's id")])
    if event_id is not None and latest is None and published is None:
        raise NotFound(f"There is no event {event_id!r}")
    conflict = _conflict(connection, latest, base_number)
    if conflict is not None:
        return conflict
    checked = check_features(connection, [feature])
    if checked.problems:
        return Invalid(checked.problems)
    stored = stored_feature(checked.rows[0])  # as a load would store it: times in UTC, …
    stored = in_order_of(stored, published or (latest.feature if latest else None))
    return add_revision(connection, target, stored, author, latest, published)


def add_revision(
    connection: Connection,
    event_id: str,
    feature: dict,
    author: Account,
    latest: Revision | None,
    published: dict | None,
    *,
    reason: str | None = None,
    restored_from: int | None = None,
) -> Revision:
    """The next draft of an (already locked and checked) event; the open draft it
    follows is superseded. ``published`` is the event as ``events`` holds it now: the
    first revision of a loaded event keeps it, and so does the first after a load changed
    it (a new round, desk.rounds)."""
    number = latest.number + 1 if latest is not None else 1
    over = rounds.loaded_over(connection, event_id, number, published) if latest else None
    if latest is not None and latest.state in OPEN:
        _set_state(connection, latest.id, "superseded")
    new_id = connection.execute(
        insert(revisions)
        .values(
            event_id=event_id,
            number=number,
            base_number=number - 1,
            state="draft",
            feature=feature,
            reason=reason,
            author_id=author.id,
            created_at=_now(),
            restored_from=restored_from,
            original=published if latest is None else (over.loaded if over else None),
            after_load=over.version if over else None,
        )
        .returning(revisions.c.id)
    ).scalar_one()
    return revision_by_id(connection, new_id)


def submit(
    connection: Connection,
    revision_id: int,
    reason: str,
    author: Account,
    *,
    source: str,
    address: str | None = None,
) -> Revision:
    """Send a draft (or a returned revision) to review, with why it was made and what the
    correction rests on (``source``, as the editor cites it: readers see both)."""
    revision = locked_revision(connection, revision_id)
    if revision.state not in OPEN:
        raise WrongState(
            f"Revision {revision.number} of {revision.event_id!r} is {_said(revision.state)}: "
            "only a draft or a returned revision can be submitted"
        )
    if revision.author_id != author.id:
        raise Forbidden(f"Only its author, {revision.author}, can submit this revision")
    text = checked_text("reason", reason, required=True)
    cited = checked_text("source", source, required=True)
    connection.execute(
        update(revisions)
        .where(revisions.c.id == revision.id)
        .values(state="in_review", reason=text, correction_source=cited, submitted_at=_now())
    )
    record(
        connection,
        "submit",
        actor=author.name,
        target=revision.event_id,
        address=address,
        detail={"revision": revision.number, "reason": text, "source": cited},
    )
    return revision_by_id(connection, revision.id)


def checked_text(field: str, value: object, *, required: bool) -> str | None:
    """A reason or comment: stripped, at most REASON_LIMIT characters of text the
    database keeps (no NUL, no lone surrogate); FieldError naming ``field`` else."""
    if value is not None and not isinstance(value, str):
        raise FieldError(field, f"The {field} must be text")
    text = (value or "").strip()
    if required and not text:
        raise FieldError(field, f"Give a {field}: readers see it in the corrections log")
    if len(text) > REASON_LIMIT:
        raise FieldError(
            field, f"The {field} has {len(text)} characters; at most {REASON_LIMIT} are kept"
        )
    if "\x00" in text or not _encodes(text):
        raise FieldError(field, f"The {field} holds characters that are not text")
    return text or None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def known_id(event_id: object) -> str:
    """``event_id`` if it can name an event; NotFound otherwise (text no event id can be,
    such as NUL, is answered as any unknown id, not sent to the database)."""
    if not _usable_id(event_id):
        raise NotFound(f"There is no event {str(event_id)[:ID_LIMIT]!r}")
    return event_id


def _usable_id(event_id: object) -> bool:
    return (
        isinstance(event_id, str)
        and 0 < len(event_id) <= ID_LIMIT
        and "\x00" not in event_id
        and _encodes(event_id)
    )


def lock_event(connection: Connection, event_id: str) -> None:
    """Hold the event until the transaction ends, so two saves of it go one at a time
    (each then sees the other's number)."""
    connection.execute(select(func.pg_advisory_xact_lock(EVENT_LOCK, func.hashtext(event_id))))


def latest_revision(connection: Connection, event_id: str) -> Revision | None:
    query = _query().where(revisions.c.event_id == event_id)
    row = connection.execute(query.order_by(revisions.c.number.desc()).limit(1)).mappings().first()
    return Revision(**row) if row else None


def revision_by_id(connection: Connection, revision_id: int) -> Revision:
    row = connection.execute(_query().where(revisions.c.id == revision_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no revision {revision_id}")
    return Revision(**row)


def locked_revision(connection: Connection, revision_id: object) -> Revision:
    """The revision, its event locked (so its state cannot change under the caller)."""
    if (
        not isinstance(revision_id, int)
        or isinstance(revision_id, bool)
        or not (0 < revision_id < 2**31)
    ):
        raise NotFound(f"There is no revision {revision_id!r}")
    found = connection.execute(
        select(revisions.c.event_id).where(revisions.c.id == revision_id)
    ).scalar()
    if found is None:
        raise NotFound(f"There is no revision {revision_id}")
    lock_event(connection, found)
    return revision_by_id(connection, revision_id)


def revisions_of(connection: Connection, event_id: str) -> list[Revision]:
    query = _query().where(revisions.c.event_id == event_id).order_by(revisions.c.number)
    return [Revision(**row) for row in connection.execute(query).mappings()]


def is_guarded(connection: Connection, event_id: str, feature: dict | None) -> bool:
    """Whether the event is sensitive as ``feature`` (its latest form), as published or in
    any revision: a draft that unmarks it shows and gives an editor no more than readers
    see until a publication says otherwise."""
    published = published_feature(connection, event_id)
    return any(
        withheld.is_sensitive(f)
        for f in (feature, published, *(r.feature for r in revisions_of(connection, event_id)))
        if f is not None
    )


def editable_feature(connection: Connection, event_id: str, latest: Revision | None) -> dict | None:
    """The event as an edit starts from: its open revision (a draft, returned or in
    review), else as readers see it now, which after a `db load` is the loaded event and
    not the desk's older copy of it."""
    if latest is not None and latest.state not in ("published", "superseded"):
        return latest.feature
    published = published_feature(connection, event_id)
    return published if published is not None or latest is None else latest.feature


def published_feature(connection: Connection, event_id: str) -> dict | None:
    """The event as readers see it now, as stored (None if it was never published)."""
    row = (
        connection.execute(select(*stored_columns(events)).where(events.c.id == event_id))
        .mappings()
        .first()
    )
    return stored_feature(dict(row)) if row else None


def feature_at(connection: Connection, event_id: str, number: int) -> dict | None:
    """The event's feature at revision ``number`` (0: before its first revision, as
    loaded; None for a new event, or a number it never had)."""
    if number == 0:
        first = connection.execute(
            select(revisions.c.original).where(
                revisions.c.event_id == event_id, revisions.c.number == 1
            )
        ).first()
        return first[0] if first is not None else published_feature(connection, event_id)
    return connection.execute(
        select(revisions.c.feature).where(
            revisions.c.event_id == event_id, revisions.c.number == number
        )
    ).scalar()


def _conflict(
    connection: Connection, latest: Revision | None, base_number: object
) -> Conflict | Invalid | None:
    """Refusal for a save on top of ``latest`` from ``base_number``: a Conflict when they
    differ, WrongState while ``latest`` is in review; None when it may be saved."""
    current = latest.number if latest is not None else 0
    base = 0 if base_number is None else base_number
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        return Invalid([FieldProblem("base_number", f"is not a revision number: {base!r}")])
    if base != current:
        if latest is None or base > current:
            raise WrongState(
                f"The event has no revision {base}: its latest is {current}; reload it"
            )
        before = feature_at(connection, latest.event_id, base)
        return Conflict(latest, feature_changes(before, latest.feature))
    if latest is not None and latest.state == "in_review":
        raise WrongState(
            f"Revision {latest.number} of {latest.event_id!r} is in review: the event can be "
            "edited again once it is published or sent back"
        )
    return None


def _with_id(feature: dict, event_id: str | None) -> tuple[dict, FieldProblem | None]:
    """The feature with the event's id in its properties; a problem when it names
    another (an event keeps its id: links and corrections name it)."""
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return feature, FieldProblem("properties", "is not an object of the event's fields")
    found = _feature_id(feature)
    if event_id is None:
        if not isinstance(found, str | int) or isinstance(found, bool) or not str(found).strip():
            return feature, FieldProblem("properties.id", "is missing: a new event needs an id")
        return feature, None
    if found is not None and str(found) != event_id:
        return feature, FieldProblem(
            "properties.id", f"is {found!r}, not this event's id {event_id!r}: ids never change"
        )
    return {**feature, "properties": {"id": event_id, **properties}}, None


def _feature_id(feature: dict) -> object:
    properties = feature.get("properties")
    found = properties.get("id") if isinstance(properties, dict) else None
    return feature.get("id") if found is None else found


def _set_state(connection: Connection, revision_id: int, state: str) -> None:
    connection.execute(update(revisions).where(revisions.c.id == revision_id).values(state=state))


def _said(state: str) -> str:
    return state.replace("_", " ")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _query():
    author, reviewer = users.alias("author"), users.alias("reviewer")
    return select(
        *revisions.c, author.c.name.label("author"), reviewer.c.name.label("reviewer")
    ).select_from(
        revisions.join(author, author.c.id == revisions.c.author_id).outerjoin(
            reviewer, reviewer.c.id == revisions.c.reviewer_id
        )
    )
