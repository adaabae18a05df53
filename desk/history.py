"""An event's revisions with what each changed, and restoring an earlier one.

Each revision is diffed against the one before it (the first against the event as it was
loaded, or nothing for a new event), so the history reads as a list of edits. Restoring
never rewrites the past: the chosen revision's feature becomes a new draft, reviewed like
any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from almaty_map.desk.audit import record
from almaty_map.desk.checking import check_features
from almaty_map.desk.errors import NotFound, WrongState
from almaty_map.desk.fields import FieldChange, feature_changes
from almaty_map.desk.revisions import (
    Revision,
    add_revision,
    checked_text,
    feature_at,
    known_id,
    latest_revision,
    lock_event,
    published_feature,
    revisions_of,
)

if TYPE_CHECKING:
    from almaty_map.desk.accounts import Account


def history(connection: Connection, event_id: str) -> list[tuple[Revision, list[FieldChange]]]:
    """The event's revisions, oldest first, each with its changes against the one before;
    empty for an event never revised (NotFound for no event at all)."""
    event_id = known_id(event_id)
    found = revisions_of(connection, event_id)
    if not found and published_feature(connection, event_id) is None:
        raise NotFound(f"There is no event {event_id!r}")
    out = []
    before = found[0].original if found else None
    for revision in found:
        out.append((revision, feature_changes(before, revision.feature)))
        before = revision.feature
    return out


def restore(
    connection: Connection,
    event_id: str,
    number: int,
    editor: Account,
    reason: str,
    *,
    address: str | None = None,
) -> Revision:
    """A new draft holding the event as it was at revision ``number`` (0: as loaded)."""
    event_id = known_id(event_id)
    text = checked_text("reason", reason, required=True)
    lock_event(connection, event_id)
    latest = latest_revision(connection, event_id)
    if latest is None:
        raise NotFound(f"The event {event_id!r} has no revisions to restore")
    if latest.state == "in_review":
        raise WrongState(
            f"Revision {latest.number} of {event_id!r} is in review: restore once it is "
            "published or sent back"
        )
    if not isinstance(number, int) or isinstance(number, bool):
        raise NotFound(f"The event {event_id!r} has no revision {number!r}")
    feature = feature_at(connection, event_id, number)
    if feature is None or number > latest.number or number < 0:
        raise NotFound(f"The event {event_id!r} has no revision {number}")
    checked = check_features(connection, [feature])
    if checked.problems:
        said = "; ".join(f"{p.path or 'feature'}: {p.message}" for p in checked.problems)
        raise WrongState(f"Revision {number} no longer passes the dataset's checks: {said}")
    revision = add_revision(
        connection, event_id, feature, editor, latest, None, reason=text, restored_from=number
    )
    record(
        connection,
        "restore",
        actor=editor.name,
        target=event_id,
        address=address,
        detail={"revision": revision.number, "restored_from": number, "reason": text},
    )
    return revision
