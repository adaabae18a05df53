"""Finding a layer's file in a dataset folder and handing it to the reader for its format.

Only the formats in ``filetypes`` are read, each only when its name and its first bytes
agree. GeoJSON is parsed by our own streaming reader (``geojson``), because its structural
faults must be reported as written; tables (CSV, TSV, XLSX, ODS) by ``sheets`` and mapped to
fields by ``rows``; KML and KMZ through GDAL and then mapped like a table; the others go
through ``gdal``, or are mapped like a table too when ``[columns]`` names their fields (a
Shapefile's are cut to ten characters). All produce the same RawTables, so one set of
checks serves them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from almaty_map.geodata import acled
from almaty_map.geodata.columns import ColumnMap
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.readers.filetypes import (
    ACCEPTED,
    FILE_TYPES,
    HEAD_BYTES,
    SIDE_SUFFIXES,
    FileType,
    file_type,
)
from almaty_map.geodata.readers.gdal import read_all_layers, read_layer_sheet, read_with_gdal
from almaty_map.geodata.readers.geojson import read_geojson
from almaty_map.geodata.readers.rows import Layout, Mapped, sheet_tables
from almaty_map.geodata.readers.sheets import Sheet, SheetError, read_sheet
from almaty_map.geodata.readers.table import CHUNK_SIZE, RawTable
from almaty_map.geodata.regularfile import TOO_LARGE, UnreadableFileError, open_regular

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Files beside a layer that are never the layer: notes, metadata, and the files GDAL opens
# with it (a Shapefile's .dbf, a GeoPackage's -wal).
_NOT_LAYERS = SIDE_SUFFIXES | {".md", ".txt", ".toml", ".xml", ".qmd", ".sbn", ".sbx", ".qix"}
_NOT_LAYER_ENDINGS = tuple(s + b for t in FILE_TYPES for s in t.suffixes for b in t.beside_name)
# What editors and office programs leave beside the file being edited.
_EDITOR_ENDINGS = ("~", ".bak", ".swp", ".swo", ".swx", ".tmp", ".orig", ".part", ".save")
_EDITOR_STARTS = (".", "#", "~")
TOO_LARGE_HINT = "(raise the limit with --max-size or ALMATY_MAP_MAX_FILE_MB, or split the file)"


def is_editor_file(name: str) -> bool:
    """A backup, swap, lock or temporary file an editor keeps beside the one it edits
    (events.geojson~, events.geojson.swp, #events.geojson#, .~lock.events.geojson#)."""
    return name.startswith(_EDITOR_STARTS) or name.lower().endswith(_EDITOR_ENDINGS)


def _is_layer_candidate(path: Path) -> bool:
    name = path.name.lower()
    return not (
        is_editor_file(path.name)
        or path.suffix.lower() in _NOT_LAYERS
        or name.endswith(_NOT_LAYER_ENDINGS)
    )


def find_file(folder: Path, stem: str) -> tuple[Path | None, list[Problem]]:
    """Find ``<stem>.*`` in a dataset folder; several candidates are an error, not a guess.

    Anything of that name counts (a FIFO or a folder too, so that it is reported for what it
    is rather than as missing), except the side files of a layer and editors' backups.
    """
    candidates = sorted(p for p in folder.glob(f"{stem}.*") if _is_layer_candidate(p))
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        return None, [
            Problem(
                f"{stem}.*",
                f"several candidate files: {names}",
                expected="exactly one file per layer",
            )
        ]
    return (candidates[0] if candidates else None), []


@dataclass
class Reading:
    """A features file being read: its file-level problems (found while reading, so look
    after the chunks are consumed) and its features, chunk by chunk."""

    file: str
    problems: list[Problem]
    chunks: Iterator[RawTable]
    # A table's: each feature's row, its sheet, and the heading each field was read from.
    rows: np.ndarray | None = None
    sheet: str | None = None
    headings: dict[str, str] = field(default_factory=dict)

    def locate(self, problem: Problem) -> Problem:
        """A problem of this file named as a spreadsheet shows it: by row (and sheet) and by
        the file's own heading, instead of by feature index and field."""
        if problem.file != self.file or not (self.headings or self.rows is not None):
            return problem
        base = (problem.field or "").split("[")[0].split(".")[0]
        heading = problem.heading or self.headings.get(base)
        if self.rows is None or problem.index is None or problem.index >= len(self.rows):
            return replace(problem, heading=heading)
        row = int(self.rows[problem.index])
        return replace(problem, row=row, sheet=self.sheet, heading=heading)


def read_features(
    path: Path,
    fields: tuple[str, ...],
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = CHUNK_SIZE,
    layout: Layout | None = None,
) -> Reading:
    """Read a features file as RawTables of at most ``chunk_size`` features.

    The file's kind, size and first bytes are checked before any of it is parsed, so a file
    that is too large, not a file, or not what its name says costs nothing.
    """
    problems: list[Problem] = []
    reading = Reading(path.name, problems, iter(()))
    kind = file_type(path.name)
    if kind is None:
        problems.append(
            Problem(path.name, "is not in a format almaty-map reads", expected=ACCEPTED)
        )
        return reading
    try:
        handle = open_regular(path, max_bytes)
    except UnreadableFileError as exc:
        hint = f"{exc.expected} {TOO_LARGE_HINT}" if exc.message == TOO_LARGE else None
        problems.append(exc.problem(path.name, hint))
        return reading
    if kind.reader == "geojson":
        reading.chunks = read_geojson(handle, path.name, fields, problems, chunk_size)
        return reading
    layout = layout or Layout()
    if kind.reader == "table":
        with handle:
            sheet = _table_sheet(handle, kind, path.name, layout.columns, max_bytes, problems)
    else:
        with handle:
            problem = _gdal_problem(path, kind, handle.read(HEAD_BYTES), max_bytes)
        if problem:
            problems.append(problem)
            return reading
        if kind.name not in _LAYERED and not layout.columns.given:
            reading.chunks = read_with_gdal(_local_path(path), path.name, fields, problems)
            return reading
        sheet = _gdal_sheet(_local_path(path), path.name, kind, problems)
    if sheet is not None:
        _read_rows(reading, sheet, fields, layout, chunk_size, kind.name in _LAYERED)
    return reading


def read_headings(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """A table's or KML's headings (none for the other formats, whose fields are named as
    the format's), for ``init`` to propose a mapping; [] when the file cannot be read (the
    validation that follows says why)."""
    kind = file_type(path.name)
    problems: list[Problem] = []
    if kind is None or kind.reader == "geojson":
        return []
    with open_regular(path, max_bytes) as handle:
        if kind.reader == "table":
            sheet = _table_sheet(handle, kind, path.name, ColumnMap(), max_bytes, problems)
        elif _gdal_problem(path, kind, handle.read(HEAD_BYTES), max_bytes):
            return []  # GDAL is handed only what validate would hand it
        else:
            sheet = _gdal_sheet(_local_path(path), path.name, kind, problems)
    return sheet.headings if sheet is not None else []


# Formats read as a table of features whose fields are mapped by [columns].
_LAYERED = frozenset({"KML", "KMZ"})
# KML's own fields (GDAL's KML and LIBKML drivers spell some differently).
_KML_FIELDS = {"title": ("Name",), "description": ("Description", "description")}
_KML_TIMES = {"start": ("begin", "timestamp"), "end": ("end",)}


def _table_sheet(
    handle, kind: FileType, file: str, columns: ColumnMap, limit: int, problems: list[Problem]
) -> Sheet | None:
    if kind.signature is not None and not kind.signature(handle.read(HEAD_BYTES)):
        problems.append(
            Problem(
                file,
                f"is not a {kind.name} file, though its name says so",
                expected=f"{kind.content}; the formats read are {ACCEPTED}",
            )
        )
        return None
    handle.seek(0)
    try:
        return read_sheet(handle, kind.name, file, columns.sheet, limit)
    except SheetError as exc:
        problems.append(exc.problem)
        return None


def _gdal_sheet(path: str, file: str, kind: FileType, problems: list[Problem]) -> Sheet | None:
    """A KML's placemarks from all its folders, or another format's layer, as a sheet."""
    if kind.name not in _LAYERED:
        return read_layer_sheet(path, file, problems)
    return read_all_layers(path, file, problems)


def _read_rows(
    reading: Reading, sheet: Sheet, fields: tuple[str, ...], layout: Layout, size: int, kml: bool
) -> None:
    """The sheet's rows as features: ACLED's columns first made into fields when the
    dataset says so, a KML's own fields and times found under their names."""
    columns = layout.columns
    mapped = Mapped({}, reading.problems)
    if columns.preset == "acled":
        sheet = acled.to_events(sheet, dict(columns.values.get("category", {})))
        mapped.headings.update(acled.ORIGINS)
    if kml:
        layout = Layout(_kml_columns(columns, sheet), layout.tz)
        if "id" not in sheet.headings and "id" not in columns.headings:
            _number_placemarks(sheet)
    tables = sheet_tables(sheet, reading.file, fields, layout, mapped, size)
    reading.chunks = tables
    reading.rows, reading.sheet, reading.headings = sheet.rows, sheet.sheet, mapped.headings


def _kml_columns(columns: ColumnMap, sheet: Sheet) -> ColumnMap:
    headings = dict(columns.headings)
    for name, options in (_KML_FIELDS | _KML_TIMES).items():
        found = next((h for h in options if h in sheet.headings), None)
        if name not in headings and found is not None:
            headings[name] = found
    return replace(columns, headings=type(columns.headings)(headings))


def _number_placemarks(sheet: Sheet) -> None:
    """Placemarks have no ids: each gets its position, and ``built_fields`` says so."""
    sheet.frame.insert(0, "id", [f"placemark-{i + 1}" for i in range(len(sheet.frame))])
    sheet.frame["built_fields"] = "id"
    sheet.headings = list(sheet.frame.columns)


def _gdal_problem(path: Path, kind: FileType, head: bytes, max_bytes: int) -> Problem | None:
    """Why a file may not be handed to GDAL: its content is not the format its name says,
    a file GDAL would open beside it is not a regular file, or GDAL would read its path as
    something other than a local file."""
    if kind.signature is not None and not kind.signature(head):
        return Problem(
            path.name,
            f"is not a {kind.name} file, though its name says so",
            expected=f"{kind.content}; the formats read are {ACCEPTED}",
        )
    for side in _beside(path, kind):
        try:
            open_regular(side, max_bytes).close()
        except UnreadableFileError as exc:
            return exc.problem(side.name)
    local = _local_path(path)
    if local.startswith("/vsi") or "!" in local:
        return Problem(
            path.name,
            "has a path GDAL would read as an archive or a virtual file system",
            found=repr(local),
            expected="a folder path without '!' that does not start with /vsi",
        )
    return None


def _beside(path: Path, kind: FileType) -> list[Path]:
    stem = path.with_suffix("")
    names = [stem.with_name(stem.name + s) for s in kind.beside_stem]
    names += [stem.with_name(stem.name + s.upper()) for s in kind.beside_stem]
    names += [path.with_name(path.name + s) for s in kind.beside_name]
    return [p for p in names if os.path.lexists(p)]


def _local_path(path: Path) -> str:
    """The absolute path GDAL is given: never relative, so never read as a driver prefix
    (``CSV:...``) or a URL."""
    return str(path.resolve())
