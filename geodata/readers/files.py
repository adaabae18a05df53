"""Finding a layer's file in a dataset folder and handing it to the reader for its format.

Only the formats in ``filetypes`` are read, each only when its name and its first bytes
agree. GeoJSON is parsed by our own streaming reader (``geojson``), because its structural
faults must be reported as written; the others go through ``gdal``. Both produce the same
RawTables, so one set of checks serves them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from almaty_map.geodata.errors import Problem
from almaty_map.geodata.readers.filetypes import (
    ACCEPTED,
    FILE_TYPES,
    HEAD_BYTES,
    SIDE_SUFFIXES,
    FileType,
    file_type,
)
from almaty_map.geodata.readers.gdal import read_with_gdal
from almaty_map.geodata.readers.geojson import read_geojson
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


def read_features(
    path: Path,
    fields: tuple[str, ...],
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = CHUNK_SIZE,
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
    with handle:
        problem = _gdal_problem(path, kind, handle.read(HEAD_BYTES), max_bytes)
    if problem:
        problems.append(problem)
    else:
        reading.chunks = read_with_gdal(_local_path(path), path.name, fields, problems)
    return reading


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
