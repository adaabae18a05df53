"""The current version's head: everything a server keeps of it, and none of its events.

dataset.toml, the places and corrections.toml are read by the files' own loader (from a
temporary folder holding them and an empty events file), so categories, periods, figures
and places are exactly those of files. The events stay in the database: a request selects
its own (``database.source``). The corrections are read against the ids they name, looked
up in the version (``db load`` checked them when it stored it).
"""

from __future__ import annotations

import dataclasses
import tempfile
import tomllib
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from almaty_map.database.dumping import Version, latest_version, write_head
from almaty_map.database.schema import events
from almaty_map.database.summary import later_summary
from almaty_map.database.wholecounts import stored_whole
from almaty_map.geodata.corrections import FILE as CORRECTIONS_FILE
from almaty_map.geodata.corrections import read_corrections
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.errors import Problem

EMPTY_EVENTS = '{"type":"FeatureCollection","features":[]}\n'


def read_head(
    connection: Connection, engine: Engine, max_bytes: int
) -> tuple[Version | None, Dataset | None, list[Problem]]:
    """The current version, its head (None if it has errors) and every problem; run it
    in one REPEATABLE READ transaction, so the head is one version's. The head's summary
    of every event asks ``engine`` when it is first needed."""
    version = latest_version(connection)
    if version is None:
        return None, None, []
    with tempfile.TemporaryDirectory(prefix="almaty-map-head-") as scratch:
        folder = Path(scratch)
        write_head(connection, folder, version)
        corrections_file = folder / CORRECTIONS_FILE
        corrections_text = corrections_file.read_text("utf-8") if corrections_file.exists() else ""
        corrections_file.unlink(missing_ok=True)
        (folder / "events.geojson").write_text(EMPTY_EVENTS, encoding="utf-8")
        head, problems = inspect_dataset(folder, max_bytes)
        titles = _corrected_titles(connection, corrections_text)
        if corrections_text:
            corrections_file.write_text(corrections_text, encoding="utf-8")
        corrections, found = read_corrections(folder, set(titles))
    problems = [p for p in problems + found if p.severity == "error"]
    if head is None or problems:
        return version, None, problems
    head = dataclasses.replace(
        head,
        folder=Path(version.source),
        fingerprint=version.fingerprint,
        corrections=corrections,
        warnings=(),
        summary=later_summary(
            engine, version.event_count, titles, _stored_summary(connection, version)
        ),
    )
    return version, head, []


def _stored_summary(connection: Connection, version: Version) -> list | None:
    """What the version's load kept of its summary (None: loaded before it did)."""
    stored = stored_whole(connection, version.fingerprint)
    return None if stored is None else stored.get("summary")


def _corrected_titles(connection: Connection, corrections_text: str) -> dict[str, str]:
    """The titles of the events corrections.toml names, by id (those the version has)."""
    try:
        raw = tomllib.loads(corrections_text)
    except tomllib.TOMLDecodeError:
        return {}  # read_corrections names the fault
    named = [
        item.get("event")
        for item in raw.get("corrections", [])
        if isinstance(item, dict) and isinstance(item.get("event"), str)
    ]
    if not named:
        return {}
    rows = connection.execute(select(events.c.id, events.c.title).where(events.c.id.in_(named)))
    return {row.id: row.title for row in rows}
