"""Finding a layer's file in a dataset folder and handing it to the reader for its format.

GeoJSON is parsed by our own streaming reader (``geojson``), because its structural faults
must be reported as written; every other format GDAL reads goes through ``gdal``. Both
produce the same RawTables, so one set of checks serves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from almaty_map.geodata.errors import Problem
from almaty_map.geodata.readers.gdal import read_with_gdal
from almaty_map.geodata.readers.geojson import read_geojson
from almaty_map.geodata.readers.table import CHUNK_SIZE, RawTable

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
GEOJSON_SUFFIXES = (".geojson", ".json")
# Side files of a layer (Shapefile parts, notes): never the layer itself.
_NOT_LAYERS = {".md", ".txt", ".toml", ".xml", ".cpg", ".dbf", ".shx", ".prj", ".qmd", ".sbn"}


def find_file(folder: Path, stem: str) -> tuple[Path | None, list[Problem]]:
    """Find ``<stem>.*`` in a dataset folder; several candidates are an error, not a guess."""
    candidates = sorted(
        p for p in folder.glob(f"{stem}.*") if p.is_file() and p.suffix.lower() not in _NOT_LAYERS
    )
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

    The size limit is checked before any byte is parsed, so an oversized file costs nothing.
    """
    problems: list[Problem] = []
    reading = Reading(path.name, problems, iter(()))
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read: {exc.strerror}"))
        return reading
    if size > max_bytes:
        problems.append(_too_large(path, size, max_bytes))
        return reading
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        reading.chunks = read_geojson(path, fields, problems, chunk_size)
    else:
        reading.chunks = read_with_gdal(path, fields, problems)
    return reading


def _too_large(path: Path, size: int, max_bytes: int) -> Problem:
    return Problem(
        path.name,
        "is too large to load",
        found=f"{size / 2**20:,.0f} MiB",
        expected=f"at most {max_bytes / 2**20:,.0f} MiB (raise the limit with --max-size "
        "or ALMATY_MAP_MAX_FILE_MB, or split the file)",
    )
