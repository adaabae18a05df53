"""Writing the database's current version as a dataset folder.

The folder is what was loaded: dataset.toml and corrections.toml verbatim, places.geojson
and events.geojson with every property as stored (lists and objects in their own text,
sensitive events with their exact shapes: coarsening is the loader's job, on every read).
``db dump`` writes it for people, and the server reads a version by writing it to a
temporary folder and loading that with the same loader as files, so both backends give
the same Dataset by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import JSON, ColumnElement, Connection, Text, cast, select

from almaty_map.database.schema import events, places, versions
from almaty_map.geodata.corrections import FILE as CORRECTIONS_FILE
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.model import EVENT_FIELDS, JSON_FIELDS

BATCH = 5000
_JSON_EVENT_FIELDS = frozenset((*JSON_FIELDS, "actors", "sources"))
_TIMES = frozenset(("start", "end"))


@dataclass(frozen=True)
class Version:
    number: int
    source: str
    fingerprint: str
    event_count: int
    summary: str


def latest_version(connection: Connection) -> Version | None:
    row = connection.execute(
        select(
            versions.c.number,
            versions.c.source,
            versions.c.fingerprint,
            versions.c.event_count,
            versions.c.summary,
        )
        .order_by(versions.c.number.desc())
        .limit(1)
    ).first()
    return Version(*row) if row else None


def write_folder(
    connection: Connection, folder: Path, only: ColumnElement[bool] | None = None
) -> Version | None:
    """Write the current version into ``folder`` (which must exist); None when the
    database holds no version yet. Run it in one REPEATABLE READ transaction, so the files
    all come from one version even while another is being loaded. ``only`` (a condition on
    ``events``) writes just those events, and no corrections (they may name others)."""
    version = latest_version(connection)
    if version is None:
        return None
    write_head(connection, folder, version, with_corrections=only is None)
    _write_collection(
        folder / "events.geojson",
        (event_feature(row) for row in _rows(connection, events, only)),
    )
    return version


def write_head(
    connection: Connection, folder: Path, version: Version, *, with_corrections: bool = True
) -> None:
    """The version's files but its events: dataset.toml, corrections.toml and places."""
    toml, corrections = connection.execute(
        select(versions.c.dataset_toml, versions.c.corrections_toml).where(
            versions.c.number == version.number
        )
    ).one()
    (folder / META_FILE).write_text(toml, encoding="utf-8")
    if corrections is not None and with_corrections:
        (folder / CORRECTIONS_FILE).write_text(corrections, encoding="utf-8")
    place_rows = list(_rows(connection, places))
    if place_rows:
        _write_collection(folder / "places.geojson", (_place(row) for row in place_rows))


def stored_columns(table) -> list:
    """The columns a feature is written from, JSON ones as their stored text (which keeps
    key order and all, so what is written is what was loaded)."""
    return [
        cast(column, Text).label(column.name) if isinstance(column.type, JSON) else column
        for column in table.columns
        if column.name not in ("geom", "position") and column.computed is None
    ]


def _rows(connection: Connection, table, only: ColumnElement[bool] | None = None) -> Iterator[dict]:
    """The table's rows in file order, JSON columns as their stored text, streamed."""
    query = select(*stored_columns(table)).order_by(table.c.position)
    if only is not None:
        query = query.where(only)
    result = connection.execute(query.execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield dict(row)


def event_feature(row: dict) -> bytes:
    """A feature with every stored property; absent ones (null) are left out."""
    properties: dict[str, object] = {}
    for name in EVENT_FIELDS:
        value = row[name]
        if value is None:
            continue
        if name in _TIMES:
            value = value.isoformat()
        elif name in _JSON_EVENT_FIELDS:
            value = orjson.Fragment(value)
        properties[name] = value
    if row["extra"] is not None:
        properties.update(orjson.loads(row["extra"]))
    return _feature(row["id"], row["geometry"], properties)


def _place(row: dict) -> bytes:
    properties = {"id": row["id"], "name": row["name"]}
    if row["names"] is not None:
        properties["names"] = orjson.Fragment(row["names"])
    properties["kind"] = row["kind"]
    if row["extra"] is not None:
        properties.update(orjson.loads(row["extra"]))
    return _feature(row["id"], row["geometry"], properties)


def _feature(feature_id: str, geometry: str, properties: dict) -> bytes:
    return orjson.dumps(
        {
            "type": "Feature",
            "id": feature_id,
            "geometry": orjson.Fragment(geometry),
            "properties": properties,
        }
    )


def _write_collection(path: Path, features: Iterable[bytes]) -> None:
    with path.open("wb") as out:
        out.write(b'{"type":"FeatureCollection","features":[\n')
        for k, feature in enumerate(features):
            out.write((b",\n" if k else b"") + feature)
        out.write(b"\n]}\n")
