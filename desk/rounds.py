"""An event's revisions against the `db load`s that changed it after the desk wrote it.

The desk last touched ``events`` for an event when a revision of it was published, or,
before any was, when revision 1 was started from the event as loaded (its ``original``). A
load may change the row since (``--replace-desk-edits``, or an event the desk never
published). A revision started before that is based on what the event no longer is:
publishing it would silently write over the load, so it is refused with what the load
changed. The next save or restore starts a new round instead, from the event as loaded
(``original`` and ``after_load`` of that revision), so its diff is against the loaded
event and it can be published. Content is compared, not version numbers: a load that left
the event alone stands in no one's way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, or_, select

from almaty_map.database.schema import revisions, versions
from almaty_map.desk.fields import FieldChange, feature_changes


@dataclass(frozen=True)
class LoadedOver:
    """A load changed the event after its revisions last touched it: ``changes`` from
    what the desk knew to ``loaded`` (the row now; None if the load removed the event),
    by the load of ``version`` (the newest loaded version)."""

    event_id: str
    version: int
    changes: list[FieldChange]
    loaded: dict | None

    def said(self) -> str:
        """The refusal's words: the event and each field the load changed."""
        fields = ", ".join(c.field for c in self.changes)
        return (
            f"A `db load` (version {self.version}) changed {self.event_id!r} after this "
            f"revision was started ({fields}): publishing it would silently undo that load. "
            "Send it back: the editor's next save starts from the event as loaded."
        )


def known_before(connection: Connection, event_id: str, number: int) -> dict | None:
    """The event as ``events`` held it when the revisions up to ``number`` last touched
    it: the newest earlier revision published, or the newest round's start (revision 1,
    or one after a load) up to ``number`` itself, as that start found it. None for a new
    event, or one without revisions."""
    row = _last_touch(connection, event_id, number)
    return None if row is None else _as_touched(row, number)


def loaded_over(
    connection: Connection, event_id: str, number: int, now: dict | None
) -> LoadedOver | None:
    """What a load changed in the event (``now`` as ``events`` holds it) since revision
    ``number``'s chain last touched it; None when nothing, or when it has no revisions."""
    row = _last_touch(connection, event_id, number)
    if row is None:
        return None
    changes = feature_changes(_as_touched(row, number), now)
    if not changes:
        return None
    return LoadedOver(event_id, _newest_load(connection), changes, now)


def _last_touch(connection: Connection, event_id: str, number: int):
    """The revision ``known_before`` reads, or None when there is none."""
    round_start = or_(revisions.c.number == 1, revisions.c.after_load.is_not(None))
    return connection.execute(
        select(
            revisions.c.number,
            revisions.c.feature,
            revisions.c.original,
            revisions.c.published_version,
        )
        .where(
            revisions.c.event_id == event_id,
            or_(
                and_(revisions.c.published_version.is_not(None), revisions.c.number < number),
                and_(round_start, revisions.c.number <= number),
            ),
        )
        .order_by(revisions.c.number.desc())
        .limit(1)
    ).first()


def _as_touched(row, number: int) -> dict | None:
    """A published revision as it left ``events``; a round's start as it found it."""
    published = row.published_version is not None and row.number < number
    return row.feature if published else row.original


def _newest_load(connection: Connection) -> int:
    return connection.execute(
        select(func.coalesce(func.max(versions.c.number), 0)).where(versions.c.source != "desk")
    ).scalar_one()
