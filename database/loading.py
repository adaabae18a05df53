"""Loading a dataset folder into the database as its new version: all or nothing.

The folder is validated by the files' own loader (the same report as ``validate``) while
its events are copied in, in one transaction that also records the version, what it
changed against the one it replaces, and a notification for the servers. Until that
transaction commits, every reader sees the previous version; a load that is killed, or
whose folder has an error, leaves no trace.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import shapely
from psycopg import sql
from sqlalchemy import ColumnElement, Connection, Engine, delete, func, insert, select

from almaty_map.database.copying import copying, ewkb, writing_events
from almaty_map.database.deskedits import DeskEditsError, unloaded_desk_edits
from almaty_map.database.dumping import latest_version, write_folder
from almaty_map.database.indexes import built_afterwards
from almaty_map.database.replacing import (
    STAGING,
    changes_drawing,
    compare,
    previous_rows,
    replace,
    stage,
)
from almaty_map.database.schema import (
    CHANNEL,
    EVENT_COLUMNS,
    PLACE_COLUMNS,
    places,
    versions,
)
from almaty_map.database.tilecells import rebuild as rebuild_tile_cells
from almaty_map.database.tileslices import rebuild_slices
from almaty_map.database.wholecounts import count_whole
from almaty_map.geodata.compact import CompactEvents
from almaty_map.geodata.corrections import FILE as CORRECTIONS_FILE
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.diff import DatasetDiff, diff_features, features_by_id
from almaty_map.geodata.errors import DataError
from almaty_map.geodata.metadata import FILE as META_FILE

# Held for the whole load, so two loads at once run one after the other.
LOAD_LOCK = 16_2022


@dataclass(frozen=True)
class Loaded:
    number: int
    events: int
    diff: DatasetDiff | None  # None for the first version
    summary: str


def load_folder(
    engine: Engine,
    folder: Path,
    max_bytes: int,
    progress: Callable[[int, int], None],
    replace_desk_edits: bool = False,
) -> Loaded:
    """Validate ``folder`` and make it the database's new version; raise DataError (and
    change nothing) if it has errors, DeskEditsError if events were published at the desk
    since the last load (unless ``replace_desk_edits``). ``progress`` is told how many
    events of how many are written.

    The events are copied in while the file is read and checked (one pass over the file,
    the database's work overlapping the parser's); any error rolls the whole load back.
    """
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK)))
        first = latest_version(connection) is None
        edited = [] if first or replace_desk_edits else unloaded_desk_edits(connection)
        if edited:
            raise DeskEditsError(edited)
        drawn_before = None if first else _latest_settings(connection)
        dataset = _copy_events(connection, folder, max_bytes, first)
        diff, redrawn = (None, True) if first else _replace(connection, dataset, max_bytes)
        # Statistics for the new rows now, not when autovacuum next looks: the first
        # requests are planned with them (and numberMatched's estimate is read from them).
        connection.exec_driver_sql("ANALYZE events")
        if redrawn or drawn_before != (folder / META_FILE).read_text(encoding="utf-8"):
            rebuild_tile_cells(connection)
            rebuild_slices(connection, dataset.meta)
        progress(len(dataset.events), len(dataset.events))
        connection.execute(delete(places))
        _copy(connection, "places", PLACE_COLUMNS, _place_rows(dataset))
        number = _record(connection, folder, dataset, diff)
    return Loaded(number, len(dataset.events), diff, describe(diff, len(dataset.events)))


def _copy_events(connection: Connection, folder: Path, max_bytes: int, first: bool) -> Dataset:
    """Validate the folder while its events are copied: straight into ``events`` for the
    first version (its indexes built once, afterwards), else into the staging table."""
    if first:  # emptied by TRUNCATE so that COPY may write its rows frozen
        connection.exec_driver_sql("TRUNCATE events")
        target, indexes = "events", built_afterwards(connection)
    else:
        stage(connection)
        target, indexes = STAGING, nullcontext()
    with indexes:
        with (
            copying(connection, target, EVENT_COLUMNS, frozen=first) as copy,
            writing_events(copy) as write,
        ):
            dataset, problems = inspect_dataset(folder, max_bytes, _writer(write))
        if dataset is None:
            raise DataError(problems)  # rolls the transaction back
    return dataset


def _writer(write: Callable[[CompactEvents, int], int]) -> Callable[[CompactEvents], None]:
    """Each checked chunk into the COPY, positions in file order; from a chunk with an
    error on, none is written (the load will be refused, and every error reported)."""
    written = 0
    failed = False

    def each(chunk: CompactEvents) -> None:
        nonlocal written, failed
        failed = failed or any(p.severity == "error" for p in chunk.problems)
        if not failed:
            written += write(chunk, written)

    return each


def _replace(
    connection: Connection, dataset: Dataset, max_bytes: int
) -> tuple[DatasetDiff | None, bool]:
    """Make the staged events current and say what changed, building features only for
    the events whose stored rows differ (all of them if the timezone, in which times are
    served, changed); and whether the map draws any event differently (else its stored
    cells still hold: a version that corrects titles and sources rebuilds none of them,
    a third of a load of a million events)."""
    differences = compare(connection)
    redrawn = bool(differences.added or differences.removed) or changes_drawing(connection)
    old = _previous(connection, previous_rows(), max_bytes)
    if old is not None and old.meta.tz != dataset.meta.tz:
        old = _previous(connection, None, max_bytes)
        wanted = dataset.events["id"].notna()
        same = 0
    else:
        wanted = dataset.events["id"].isin(differences.added + differences.rewritten)
        same = differences.same
    redrawn = replace(connection) > 0 or redrawn
    if old is None:  # the previous version no longer passes the checks
        return None, redrawn
    after = features_by_id(dataset, np.flatnonzero(wanted.to_numpy()))
    before = features_by_id(old, range(len(old.events)))
    return diff_features(before, after, old.meta, dataset.meta, same), redrawn


def _latest_settings(connection: Connection) -> str:
    """The dataset.toml of the version loaded last (its time zone and slices shape the
    stored cells as much as the events do)."""
    newest = select(versions.c.dataset_toml).order_by(versions.c.number.desc()).limit(1)
    return connection.execute(newest).scalar_one()


def _previous(
    connection: Connection, only: ColumnElement[bool] | None, max_bytes: int
) -> Dataset | None:
    """The previous version's events that ``only`` selects (all if None), loaded as files
    are, so they are compared as the API served them."""
    with tempfile.TemporaryDirectory(prefix="almaty-map-db-") as scratch:
        write_folder(connection, Path(scratch), only)
        dataset, _ = inspect_dataset(scratch, max_bytes)
    return dataset


def _record(
    connection: Connection, folder: Path, dataset: Dataset, diff: DatasetDiff | None
) -> int:
    """The new version's row, and the notification every server waits for."""
    number = connection.execute(
        insert(versions)
        .values(
            loaded_at=dt.datetime.now(dt.UTC),
            source=str(folder.resolve()),
            fingerprint=dataset.fingerprint,
            event_count=len(dataset.events),
            dataset_toml=(folder / META_FILE).read_text(encoding="utf-8"),
            corrections_toml=_optional_text(folder / CORRECTIONS_FILE),
            summary=describe(diff, len(dataset.events)),
            diff=diff.as_dict() if diff is not None else None,
            whole_counts=count_whole(connection, dataset.meta),
        )
        .returning(versions.c.number)
    ).scalar_one()
    connection.execute(select(func.pg_notify(CHANNEL, str(number))))
    return number


def describe(diff: DatasetDiff | None, count: int) -> str:
    if diff is None:
        return f"first version: {count} events"
    return (
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed, "
        f"{diff.unchanged} unchanged"
        + (f"; dataset.toml: {', '.join(c.field for c in diff.dataset)}" if diff.dataset else "")
    )


def _optional_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _copy(connection: Connection, table: str, columns: tuple[str, ...], rows) -> None:
    """COPY ``rows`` in, on the transaction's own connection."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _place_rows(dataset: Dataset) -> Iterator[tuple]:
    """Places as checked (names in their canonical form), from their canonical features."""
    for position, text in enumerate(dataset.place_json):
        feature = orjson.loads(text)
        properties = feature["properties"]
        known = {name: properties.pop(name, None) for name in ("id", "name", "names", "kind")}
        geometry = orjson.dumps(feature["geometry"]).decode()
        yield (
            position,
            known["id"],
            known["name"],
            None if known["names"] is None else orjson.dumps(known["names"]).decode(),
            known["kind"],
            orjson.dumps(properties).decode() if properties else None,
            geometry,
            ewkb([shapely.from_geojson(geometry)])[0],
        )
