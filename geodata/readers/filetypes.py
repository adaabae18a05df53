"""The formats a dataset's events or places may be in: an allow-list, each recognised by the
end of its name and by its first bytes.

GDAL opens almost anything it is handed, and some of what it opens reaches further: a VRT
names other files (``CSV:/etc/passwd``) or URLs (``/vsicurl/http://...``), and a path may
carry a driver prefix. So a file is never handed to GDAL to find out what it is: its name
must end in a listed suffix and its content must start the way that format starts, and only
then is it read, by our own GeoJSON reader or by GDAL. To accept another format (CSV, XLSX,
ODS, KML, ...), add an entry: its suffixes, a test of its first bytes and the files GDAL
opens beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

HEAD_BYTES = 100  # enough for every signature below


@dataclass(frozen=True)
class FileType:
    name: str
    suffixes: tuple[str, ...]
    reader: Literal["geojson", "gdal"]
    # What the first HEAD_BYTES must look like, and that in words; None: our own reader
    # parses the file and reports its faults itself.
    signature: Callable[[bytes], bool] | None = None
    content: str = ""
    # Files GDAL opens beside it (same stem, or the name plus a suffix for SQLite's): they
    # must be regular files too.
    beside_stem: tuple[str, ...] = ()
    beside_name: tuple[str, ...] = ()


def _geopackage(head: bytes) -> bool:
    """An SQLite database whose application_id (offset 68) says GeoPackage (1.0, 1.1, 1.2+)."""
    return head.startswith(b"SQLite format 3\0") and head[68:72] in (b"GP10", b"GP11", b"GPKG")


def _flatgeobuf(head: bytes) -> bool:
    """'fgb', the major version, 'fgb', the patch version."""
    return head[:3] == b"fgb" and head[4:7] == b"fgb"


def _shapefile(head: bytes) -> bool:
    """File code 9994 (big-endian) and version 1000 (little-endian, at offset 28)."""
    return head[:4] == b"\x00\x00\x27\x0a" and head[28:32] == b"\xe8\x03\x00\x00"


FILE_TYPES = (
    FileType("GeoJSON", (".geojson", ".json"), "geojson"),
    FileType(
        "GeoPackage",
        (".gpkg",),
        "gdal",
        _geopackage,
        "an SQLite database marked as a GeoPackage",
        beside_name=("-wal", "-shm", "-journal"),
    ),
    FileType("FlatGeobuf", (".fgb",), "gdal", _flatgeobuf, "a FlatGeobuf header ('fgb')"),
    FileType(
        "Shapefile",
        (".shp",),
        "gdal",
        _shapefile,
        "a Shapefile header (file code 9994)",
        beside_stem=(".shx", ".dbf", ".prj", ".cpg"),
    ),
)
ACCEPTED = "; ".join(f"{t.name} ({', '.join(t.suffixes)})" for t in FILE_TYPES)
# The files beside a layer that are never a layer themselves.
SIDE_SUFFIXES = frozenset(s for t in FILE_TYPES for s in t.beside_stem)


def file_type(name: str) -> FileType | None:
    """The accepted format a file name ends in, if any (case does not matter)."""
    lowered = name.lower()
    return next((t for t in FILE_TYPES if lowered.endswith(t.suffixes)), None)
