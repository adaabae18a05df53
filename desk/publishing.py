"""A reviewer's decision on a submitted revision: publish it to readers, or send it back.

Publishing is a small `db load` of one event, in the caller's transaction: the feature is
checked again and stored as the loader stores it, and a new version is recorded (its
dataset.toml's version moved on, a correction for a changed event, the diff, the counts
and tile cells a load refreshes, each moved by what the one event took away and added,
not counted again from every event) and announced on the channel every server listens
on, so each replica serves it within a couple of seconds. Readers see nothing of it before the
transaction commits, and all of it after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from almaty_map.database.copying import copying, event_csv
from almaty_map.database.dumping import latest_version, write_folder
from almaty_map.database.loading import LOAD_LOCK, describe
from almaty_map.database.schema import CHANNEL, EVENT_COLUMNS, events, revisions, versions
from almaty_map.database.tilecells import rebuild as rebuild_tile_cells
from almaty_map.database.tileslices import refresh_days, stored_days
from almaty_map.database.wholecounts import event_share, moved_whole
from almaty_map.desk.audit import record
from almaty_map.desk.checking import Checked, check_features
from almaty_map.desk.corrections import correction_entry, moved_on
from almaty_map.desk.errors import Forbidden, WrongState
from almaty_map.desk.revisions import (
    Revision,
    checked_text,
    locked_revision,
    published_feature,
    revision_by_id,
)
from almaty_map.desk.rounds import loaded_over
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.diff import DatasetDiff, diff_features, features_by_id
from almaty_map.geodata.readers.files import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from almaty_map.desk.accounts import Account

REVIEWERS = ("reviewer", "admin")


def publish(
    connection: Connection,
    revision_id: int,
    reviewer: Account,
    comment: str | None = None,
    *,
    address: str | None = None,
) -> int:
    """Publish a revision in review as the database's new version; its number."""
    connection.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK)))  # versions in turn
    revision = locked_revision(connection, revision_id)
    _may_review(revision, reviewer, "publish")
    _not_a_coauthor(connection, revision, reviewer)
    _not_loaded_over(connection, revision)
    text = checked_text("comment", comment, required=False)
    number = _new_version(connection, revision)
    connection.execute(
        update(revisions)
        .where(revisions.c.event_id == revision.event_id, revisions.c.state == "published")
        .values(state="superseded")
    )
    _decided(connection, revision, reviewer, text, "published", published_version=number)
    record(
        connection,
        "publish",
        actor=reviewer.name,
        target=revision.event_id,
        address=address,
        detail={"revision": revision.number, "version": number},
    )
    return number


def send_back(
    connection: Connection,
    revision_id: int,
    reviewer: Account,
    comment: str,
    *,
    address: str | None = None,
) -> Revision:
    """Return a revision in review to its author, saying why (the comment is required)."""
    revision = locked_revision(connection, revision_id)
    _may_review(revision, reviewer, "send back")
    text = checked_text("comment", comment, required=True)
    _decided(connection, revision, reviewer, text, "returned")
    record(
        connection,
        "return",
        actor=reviewer.name,
        target=revision.event_id,
        address=address,
        detail={"revision": revision.number, "comment": text},
    )
    return revision_by_id(connection, revision.id)


def _may_review(revision: Revision, reviewer: Account, action: str) -> None:
    """A second pair of eyes: a reviewer or an admin, enabled, not the author; and the
    revision must be in review."""
    if reviewer.disabled or reviewer.role not in REVIEWERS:
        raise Forbidden(f"Only a reviewer or an admin can {action} a revision")
    if reviewer.id == revision.author_id:
        raise Forbidden(f"A revision is reviewed by someone else: you cannot {action} your own")
    if revision.state != "in_review":
        raise WrongState(
            f"Revision {revision.number} of {revision.event_id!r} is "
            f"{revision.state.replace('_', ' ')}, not in review"
        )


def _not_a_coauthor(connection: Connection, revision: Revision, reviewer: Account) -> None:
    """What is published is every revision since the last publication, not only the last
    one: a reviewer who wrote any of them would approve their own words once an editor
    saved a small change on top, so they may not publish it."""
    since = select(func.coalesce(func.max(revisions.c.number), 0)).where(
        revisions.c.event_id == revision.event_id,
        revisions.c.state.in_(("published", "superseded")),
        revisions.c.published_version.is_not(None),
    )
    written = connection.execute(
        select(func.min(revisions.c.number)).where(
            revisions.c.event_id == revision.event_id,
            revisions.c.author_id == reviewer.id,
            revisions.c.number > since.scalar_subquery(),
            revisions.c.number <= revision.number,
        )
    ).scalar()
    if written is not None:
        raise Forbidden(
            f"You wrote revision {written} of {revision.event_id!r}, which this one builds "
            "on: a reviewer who took no part in the change must publish it"
        )


def _not_loaded_over(connection: Connection, revision: Revision) -> None:
    """A revision started before a `db load` changed its event would write the desk's
    older copy over the load: refused, naming each field the load changed (desk.rounds)."""
    now = published_feature(connection, revision.event_id)
    over = loaded_over(connection, revision.event_id, revision.number, now)
    if over is not None:
        raise WrongState(over.said())


def _decided(
    connection: Connection,
    revision: Revision,
    reviewer: Account,
    comment: str | None,
    state: str,
    published_version: int | None = None,
) -> None:
    connection.execute(
        update(revisions)
        .where(revisions.c.id == revision.id)
        .values(
            state=state,
            reviewer_id=reviewer.id,
            reviewed_at=dt.datetime.now(dt.UTC),
            review_comment=comment,
            published_version=published_version,
        )
    )


def _new_version(connection: Connection, revision: Revision) -> int:
    """Write the revision's feature into ``events`` and record the version it makes."""
    version = latest_version(connection)
    if version is None:
        raise WrongState("The database holds no dataset yet: load one with `db load` first")
    toml, corrections, whole = connection.execute(
        select(versions.c.dataset_toml, versions.c.corrections_toml, versions.c.whole_counts).where(
            versions.c.number == version.number
        )
    ).one()
    new_toml = moved_on(toml)
    checked = check_features(connection, [revision.feature], new_toml)
    if checked.problems or checked.dataset is None:
        said = "; ".join(f"{p.path or 'feature'}: {p.message}" for p in checked.problems)
        raise WrongState(f"The revision no longer passes the dataset's checks: {said}")
    before = _published(connection, revision.event_id)
    left = event_share(connection, revision.event_id, whole)
    _store(connection, revision.event_id, checked)
    entered = event_share(connection, revision.event_id, whole)
    assert entered is not None  # its row was just written
    whole = moved_whole(connection, checked.dataset.meta, whole, left, entered)
    count = whole["span"][0]
    diff = diff_features(
        features_by_id(before, range(len(before.events))),
        features_by_id(checked.dataset, range(len(checked.dataset.events))),
        before.meta,
        checked.dataset.meta,
        count - 1,
    )
    if len(before.events):
        corrections = correction_entry(corrections, revision, diff)
    return _record_version(
        connection, version.fingerprint, revision, new_toml, corrections, diff, whole
    )


def _published(connection: Connection, event_id: str) -> Dataset:
    """The event as the current version has it (no event for a new one), read as files
    are, with the version's metadata."""
    with tempfile.TemporaryDirectory(prefix="almaty-map-desk-") as scratch:
        write_folder(connection, Path(scratch), events.c.id == event_id)
        dataset, problems = inspect_dataset(scratch, DEFAULT_MAX_BYTES)
    if dataset is None:
        said = "; ".join(str(p) for p in problems if p.severity == "error")
        raise WrongState(f"The current version of {event_id!r} cannot be read: {said}")
    return dataset


def _store(connection: Connection, event_id: str, checked: Checked) -> None:
    """The event's row as a load writes it, at the event's place in the order (a new
    event after the others), then the coarse zooms' cells it left and entered, of all
    times and of each stored day it was or is in."""
    old = connection.execute(
        select(events.c.position, events.c.tile_x, events.c.tile_y).where(events.c.id == event_id)
    ).first()
    if old is None:
        last = connection.execute(select(func.max(events.c.position))).scalar()
        position = 0 if last is None else last + 1
    else:
        position = old.position
    days = set(stored_days(connection, event_id))
    connection.execute(delete(events).where(events.c.id == event_id))
    with copying(connection, "events", EVENT_COLUMNS) as copy:
        copy.write(event_csv(checked.chunks[0], position))
    days |= set(stored_days(connection, event_id))
    new = connection.execute(
        select(events.c.tile_x, events.c.tile_y).where(events.c.id == event_id)
    ).one()
    keys = [(new.tile_x, new.tile_y)] + ([(old.tile_x, old.tile_y)] if old else [])
    keys = [(x, y) for x, y in keys if x is not None]
    rebuild_tile_cells(connection, keys)
    refresh_days(connection, sorted(days), keys)


def _record_version(
    connection: Connection,
    previous: str,
    revision: Revision,
    dataset_toml: str,
    corrections_toml: str | None,
    diff: DatasetDiff,
    whole: dict,
) -> int:
    """The version's row, and the notification every server waits for."""
    count = whole["span"][0]
    digest = hashlib.sha256(f"{previous}:{revision.id}:".encode())
    digest.update(orjson.dumps(revision.feature, option=orjson.OPT_SORT_KEYS))
    number = connection.execute(
        insert(versions)
        .values(
            loaded_at=dt.datetime.now(dt.UTC),
            source="desk",
            fingerprint=digest.hexdigest()[:20],
            event_count=count,
            dataset_toml=dataset_toml,
            corrections_toml=corrections_toml,
            summary=f"desk: {revision.event_id} revision {revision.number}; "
            + describe(diff, count),
            diff=diff.as_dict(),
            whole_counts=whole,
        )
        .returning(versions.c.number)
    ).scalar_one()
    connection.execute(select(func.pg_notify(CHANNEL, str(number))))
    return number
