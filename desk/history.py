"""An event's revisions with what each changed, and restoring an earlier one.

Each revision is diffed against the one before it (the first against the event as it was
loaded, or nothing for a new event; the first after a `db load` changed the event against
the event as loaded, with what that load changed), so the history reads as a list of
edits. Restoring never rewrites the past: the chosen revision's feature becomes a new
draft, reviewed like any other, and it is an edit like any other: an editor's restore
keeps a sensitive event's place and sensitivity as they are (desk.withheld), as the form
and an import do.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Connection

from almaty_map.desk import withheld
from almaty_map.desk.audit import record
from almaty_map.desk.checking import check_features
from almaty_map.desk.errors import NotFound, WrongState
from almaty_map.desk.fields import FieldChange, feature_changes
from almaty_map.desk.revisions import (
    Revision,
    add_revision,
    checked_text,
    editable_feature,
    feature_at,
    is_guarded,
    known_id,
    latest_revision,
    lock_event,
    published_feature,
    revisions_of,
)
from almaty_map.desk.rounds import LoadedOver

if TYPE_CHECKING:
    from almaty_map.desk.accounts import Account


class Entry(NamedTuple):
    """A revision, its changes against the one before, and ``load``: what a `db load`
    changed in the event before it (None when none did), which it starts from."""

    revision: Revision
    changes: list[FieldChange]
    load: LoadedOver | None


def history(connection: Connection, event_id: str) -> list[Entry]:
    """The event's revisions, oldest first, each with its changes against the one before;
    empty for an event never revised (NotFound for no event at all)."""
    event_id = known_id(event_id)
    found = revisions_of(connection, event_id)
    if not found and published_feature(connection, event_id) is None:
        raise NotFound(f"There is no event {event_id!r}")
    out = []
    known = before = None  # what ``events`` held when the revisions last touched it
    for revision in found:
        load = None
        if revision.after_load is not None:
            changes = feature_changes(known, revision.original)
            load = LoadedOver(event_id, revision.after_load, changes, revision.original)
        if revision.number == 1 or load is not None:
            known = before = revision.original
        out.append(Entry(revision, feature_changes(before, revision.feature), load))
        before = revision.feature
        if revision.published_version is not None:
            known = revision.feature
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
    current = editable_feature(connection, event_id, latest)
    if not withheld.sees_exactly(editor.role) and is_guarded(connection, event_id, current):
        feature = withheld.kept_place(copy.deepcopy(feature), current)
    checked = check_features(connection, [feature])
    if checked.problems:
        said = "; ".join(f"{p.path or 'feature'}: {p.message}" for p in checked.problems)
        raise WrongState(f"Revision {number} no longer passes the dataset's checks: {said}")
    published = published_feature(connection, event_id)
    revision = add_revision(
        connection, event_id, feature, editor, latest, published, reason=text, restored_from=number
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
