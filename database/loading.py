"""Loading a dataset folder into the database as its new version: all or nothing.

The folder is validated by the files' own loader first (the same report as ``validate``),
then written with COPY in one transaction that also records the version, what it changed
against the one it replaces, and a notification for the servers. Until that transaction
commits, every reader sees the previous version; a load that is killed leaves no trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pandas as pd
import shapely
from psycopg import sql
from sqlalchemy import Connection, Engine, delete, func, insert, select

from almaty_map.database.reading import read_version
from almaty_map.database.schema import (
    CHANNEL,
    EVENT_COLUMNS,
    PLACE_COLUMNS,
    SRID,
    events,
    places,
    versions,
)
from almaty_map.geodata.checks.events import CheckedEvents, check_events
from almaty_map.geodata.corrections import FILE as CORRECTIONS_FILE
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.diff import DatasetDiff, diff_datasets
from almaty_map.geodata.errors import DataError
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.model import EVENT_FIELDS, JSON_FIELDS
from almaty_map.geodata.readers.files import find_file, read_features

# Held for the whole load, so two loads at once run one after the other.
LOAD_LOCK = 16_2022


@dataclass(frozen=True)
class Loaded:
    number: int
    events: int
    diff: DatasetDiff | None  # None for the first version
    summary: str


def load_folder(
    engine: Engine, folder: Path, max_bytes: int, progress: Callable[[int, int], None]
) -> Loaded:
    """Validate ``folder`` and make it the database's new version; raise DataError (and
    change nothing) if it has errors. ``progress`` is told how many events of how many are
    written."""
    dataset, problems = inspect_dataset(folder, max_bytes)
    if dataset is None:
        raise DataError(problems)
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK)))
        _, previous, _ = read_version(connection, max_bytes)
        connection.execute(delete(events))
        connection.execute(delete(places))
        _copy(connection, "places", PLACE_COLUMNS, _place_rows(dataset))
        rows = _event_rows(folder, dataset, max_bytes)
        counted = _counted(rows, len(dataset.events), progress)
        _copy(connection, "events", EVENT_COLUMNS, counted)
        diff = diff_datasets(previous, dataset) if previous is not None else None
        summary = describe(diff, len(dataset.events))
        number = connection.execute(
            insert(versions)
            .values(
                loaded_at=dt.datetime.now(dt.UTC),
                source=str(folder.resolve()),
                fingerprint=dataset.fingerprint,
                event_count=len(dataset.events),
                dataset_toml=(folder / META_FILE).read_text(encoding="utf-8"),
                corrections_toml=_optional_text(folder / CORRECTIONS_FILE),
                summary=summary,
                diff=diff.as_dict() if diff is not None else None,
            )
            .returning(versions.c.number)
        ).scalar_one()
        connection.execute(select(func.pg_notify(CHANNEL, str(number))))
    return Loaded(number, len(dataset.events), diff, summary)


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


def _counted(
    rows: Iterator[tuple], total: int, progress: Callable[[int, int], None]
) -> Iterator[tuple]:
    written = 0
    for row in rows:
        yield row
        written += 1
        if written % 1000 == 0:
            progress(written, total)
    progress(written, total)


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
            _ewkb([shapely.from_geojson(geometry)])[0],
        )


def _event_rows(folder: Path, dataset: Dataset, max_bytes: int) -> Iterator[tuple]:
    """The events as checked, before any coarsening (the database keeps what the files
    say; readers get sensitive places coarsened by the loader, as from files)."""
    path, _ = find_file(folder, "events")
    place_ids = set(dataset.places["id"])
    position = 0
    for table in read_features(path, EVENT_FIELDS, max_bytes).chunks:
        checked = check_events(table, dataset.meta, place_ids)
        for row in _chunk_rows(checked):
            yield (position, *row)
            position += 1


def _chunk_rows(checked: CheckedEvents) -> Iterator[tuple]:
    cols = checked.columns
    live = checked.live
    geometry_json = cols["geometry_json"]
    if len(geometry_json) != len(live) or any(g is None for g in geometry_json):
        geometry_json = [shapely.to_geojson(g) for g in checked.geometry]
    values = {
        **{name: cols[name] for name in ("id", "title", "description", "category")},
        **{name: cols[name] for name in ("time_precision", "place", "place_id")},
        "geo_precision": cols["geo_precision"],
        "start": _iso(cols["start"]),
        "end": _iso(cols["end"]),
        "actors": cols["actors_json"],
        "sources": cols["sources_json"],
        "sensitive": list(cols["sensitive"]),
        **{name: cols[f"{name}_json"] for name in JSON_FIELDS},
        "extra": cols["extra_json"],
        "geometry": geometry_json,
        "geom": _ewkb(checked.geometry),
    }
    names = EVENT_COLUMNS[1:]
    for i in live.nonzero()[0]:
        yield tuple(values[name][i] for name in names)


def _iso(times: pd.Series) -> list[str | None]:
    return [None if pd.isna(t) else t.isoformat() for t in times]


def _ewkb(geometries) -> list[str]:
    """Shapes as hex EWKB with the SRID, which COPY reads straight into a geometry column."""
    with_srid = shapely.set_srid(list(geometries), SRID)
    return list(shapely.to_wkb(with_srid, hex=True, include_srid=True))
