"""Adding events in bulk from a file or a dataset folder, as drafts: all or nothing.

The file is read by the dataset's own importers (every format `validate` reads; a folder
with its own dataset.toml is read with its column mapping and timezone), then each event
is checked against the served version's categories and places, as a save is. Any problem
refuses the whole import with every problem named as `validate` names it; otherwise each
event becomes a draft (a new event, or a new revision of one the database has), reviewed
one by one like any other edit.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from almaty_map.database.dumping import latest_version, write_head
from almaty_map.desk import withheld
from almaty_map.desk.audit import record
from almaty_map.desk.checking import check_report, kept_in, stored_feature, stored_rows
from almaty_map.desk.errors import WrongState
from almaty_map.desk.revisions import (
    Revision,
    add_revision,
    editable_feature,
    is_guarded,
    latest_revision,
    lock_event,
    published_feature,
)
from almaty_map.geodata.compact import CompactEvents
from almaty_map.geodata.dataset import inspect_dataset
from almaty_map.geodata.errors import DataError, Problem
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.readers.files import DEFAULT_MAX_BYTES
from almaty_map.geodata.readers.filetypes import ACCEPTED, file_type

if TYPE_CHECKING:
    from almaty_map.desk.accounts import Account

# Each draft is reviewed by a person; more than this is a new version for `db load`.
IMPORT_LIMIT = 2000


def import_drafts(
    connection: Connection,
    path: Path,
    author: Account,
    *,
    address: str | None = None,
) -> list[Revision]:
    """One draft per event of ``path`` (a file, or a folder with dataset.toml); DataError
    with every problem, and nothing written, if any event cannot be one."""
    path = Path(path)
    features = _read(connection, path)
    problems = check_report(connection, features, str(path))
    problems += _limits(features, str(path))
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    ids = [str(feature["properties"]["id"]) for feature in features]
    for event_id in sorted(ids):  # one order for every import, so two never deadlock
        lock_event(connection, event_id)
    latest = {event_id: latest_revision(connection, event_id) for event_id in ids}
    busy = [
        Problem(
            str(path),
            "is in review, so it cannot be given a new draft",
            index=i,
            feature_id=event_id,
            field="id",
            expected="an event not in review",
        )
        for i, event_id in enumerate(ids)
        if latest[event_id] is not None and latest[event_id].state == "in_review"
    ]
    if busy:
        raise DataError(busy)
    published = {e: published_feature(connection, e) for e in ids}
    drafts = [
        add_revision(
            connection,
            event_id,
            _as_author_may(connection, event_id, feature, latest[event_id], author),
            author,
            latest[event_id],
            published.get(event_id),
        )
        for event_id, feature in zip(ids, features, strict=True)
    ]
    record(
        connection,
        "import",
        actor=author.name,
        target=path.name,
        address=address,
        detail={"drafts": len(drafts), "events": ids[:50]},
    )
    return drafts


def _as_author_may(
    connection: Connection,
    event_id: str,
    feature: dict,
    latest: Revision | None,
    author: Account,
) -> dict:
    """The imported feature, but for an editor a sensitive event's place and sensitivity as
    they were: an import is an edit, and the edit form never lets an editor move or unmark
    one."""
    base = editable_feature(connection, event_id, latest)
    if base is None or withheld.sees_exactly(author.role):
        return feature
    if not is_guarded(connection, event_id, base):
        return feature
    return withheld.kept_place(feature, base)


def _read(connection: Connection, path: Path) -> list[dict]:
    """The events of the file or folder as stored features, in file order; DataError
    with the importers' report when it cannot be read."""
    chunks: list[CompactEvents] = []
    with tempfile.TemporaryDirectory(prefix="almaty-map-import-") as scratch:
        folder = path if (path / META_FILE).is_file() else _beside_head(connection, path, scratch)
        dataset, problems = inspect_dataset(folder, DEFAULT_MAX_BYTES, kept_in(chunks))
    if dataset is None:
        raise DataError([_named(p, path, folder) for p in problems])
    return [stored_feature(row) for row in stored_rows(chunks)]


def _beside_head(connection: Connection, path: Path, scratch: str) -> Path:
    """A scratch folder holding the served version's dataset.toml and places, and the
    file as its events (with a Shapefile's side files)."""
    kind = file_type(path.name)
    if not path.is_file() or kind is None:
        raise DataError(
            [Problem(str(path), "is not a file of events or a dataset folder", expected=ACCEPTED)]
        )
    version = latest_version(connection)
    if version is None:
        raise WrongState("The database holds no dataset yet: load one with `db load` first")
    folder = Path(scratch)
    write_head(connection, folder, version, with_corrections=False)
    suffix = next(s for s in kind.suffixes if path.name.lower().endswith(s))
    stem = path.name[: -len(suffix)]
    shutil.copyfile(path, folder / f"events{suffix}")
    for side in kind.beside_stem:
        for found in path.parent.glob(f"{stem}{side}"):
            shutil.copyfile(found, folder / f"events{side}")
    return folder


def _limits(features: list[dict], shown: str) -> list[Problem]:
    if len(features) <= IMPORT_LIMIT:
        return []
    return [
        Problem(
            shown,
            f"has {len(features)} events; the desk imports at most {IMPORT_LIMIT} as drafts",
            expected="a smaller file, or `almaty-map db load` for a new version",
        )
    ]


def _named(problem: Problem, path: Path, folder: Path) -> Problem:
    """A problem of the scratch folder named after the user's file."""
    if folder == path or not problem.file.startswith("events"):
        return problem
    return dataclasses.replace(problem, file=str(path))
