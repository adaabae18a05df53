"""Checking what an editor wrote with the dataset's own checks, against the served version.

A feature from the desk is checked exactly as a file is: written as an events file into a
scratch folder beside the current version's dataset.toml and places, and read by the
files' loader. The problems are then the ones `validate` reports, each with the path of
its field in the feature; and a feature that passes comes out as the row a load stores
(``copying.event_table``), so publishing writes what `db load` would have written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
from sqlalchemy import Connection

from almaty_map.database.copying import event_table
from almaty_map.database.dumping import event_feature, latest_version, write_head
from almaty_map.desk.errors import WrongState
from almaty_map.geodata.compact import CompactEvents
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.readers.files import DEFAULT_MAX_BYTES

EVENTS_FILE = "events.geojson"


@dataclass(frozen=True)
class FieldProblem:
    """One error in a feature: ``path`` like ``properties.title``,
    ``properties.sources[0].quote`` or ``geometry`` ("" for the feature as a whole)."""

    path: str
    message: str


@dataclass(frozen=True)
class Checked:
    """The features' errors; with none, the rows a load would store (file order), their
    chunks (for COPY) and the Dataset they make (for features as the API serves them)."""

    problems: list[FieldProblem]
    rows: list[dict]
    chunks: list[CompactEvents]
    dataset: Dataset | None


def check_features(
    connection: Connection, features: list[dict], dataset_toml: str | None = None
) -> Checked:
    """Check ``features`` against the current version's metadata and places (or against
    ``dataset_toml`` in their place, for the version a publication makes)."""
    dataset, problems, chunks = _inspect(connection, features, dataset_toml)
    errors = [field_problem(p) for p in problems if p.severity == "error"]
    if errors or dataset is None:
        return Checked(errors or [FieldProblem("", "cannot be read")], [], [], None)
    return Checked([], stored_rows(chunks), chunks, dataset)


def check_report(connection: Connection, features: list[dict], shown: str) -> list[Problem]:
    """The problems of ``features`` as `validate` reports them, as if they were the
    events file ``shown`` in a folder of the served version."""
    _, problems, _ = _inspect(connection, features, None)
    return [replace(p, file=shown) if p.file == EVENTS_FILE else p for p in problems]


def _inspect(
    connection: Connection, features: list[dict], dataset_toml: str | None
) -> tuple[Dataset | None, list[Problem], list[CompactEvents]]:
    version = latest_version(connection)
    if version is None:
        raise WrongState("The database holds no dataset yet: load one with `db load` first")
    unkept = _unkept(features)
    if unkept is not None:
        return None, [unkept], []
    with tempfile.TemporaryDirectory(prefix="almaty-map-desk-") as scratch:
        folder = Path(scratch)
        write_head(connection, folder, version, with_corrections=False)
        if dataset_toml is not None:
            (folder / META_FILE).write_text(dataset_toml, encoding="utf-8")
        text = orjson.dumps({"type": "FeatureCollection", "features": features})
        (folder / EVENTS_FILE).write_bytes(text)
        chunks: list[CompactEvents] = []
        dataset, problems = inspect_dataset(folder, DEFAULT_MAX_BYTES, kept_in(chunks))
    return dataset, problems, chunks


def kept_in(chunks: list[CompactEvents]) -> Callable[[CompactEvents], None]:
    """A loader's ``each_chunk`` that keeps each chunk (with a dict of its own columns:
    the reader takes them out of its chunks when it combines them)."""
    return lambda chunk: chunks.append(replace(chunk, columns=dict(chunk.columns)))


def _unkept(features: list[dict]) -> Problem | None:
    """Text the database cannot keep (a NUL character; a lone surrogate, which is not
    UTF-8) or values JSON cannot hold, found before anything is written."""
    try:
        text = orjson.dumps(features)
    except (orjson.JSONEncodeError, TypeError) as error:
        return Problem(EVENTS_FILE, f"is not JSON a feature can hold ({error})")
    if b"\\u0000" in text:
        return Problem(EVENTS_FILE, "holds a NUL character (\\u0000), which no text may hold")
    return None


def stored_rows(chunks: list[CompactEvents]) -> list[dict]:
    """The rows a load stores for these checked chunks, in file order."""
    return [row for chunk in chunks for row in event_table(chunk, 0).to_pylist()]


def stored_feature(row: dict) -> dict:
    """A stored row as the feature ``db dump`` writes for it (every property as kept)."""
    return orjson.loads(event_feature(row))


def field_problem(problem: Problem) -> FieldProblem:
    """A Problem of the scratch events file as the field it is about and validate's words
    for it (without the scratch file's name, which means nothing to an editor)."""
    field = problem.field
    if field is None:
        path = ""
    elif field.startswith("geometry"):
        path = "geometry"
    else:
        path = f"properties.{field}"
    message = problem.message
    if problem.expected is not None:
        message += f"; expected {problem.expected}"
    if problem.found is not None:
        message += f", got {problem.found}"
    return FieldProblem(path, message)
