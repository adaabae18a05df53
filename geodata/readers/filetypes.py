"""The formats a dataset's events or places may be in: an allow-list, each recognised by the
end of its name and by its first bytes.

GDAL opens almost anything it is handed, and some of what it opens reaches further: a VRT
names other files (``CSV:/etc/passwd``) or URLs (``/vsicurl/http://...``), and a path may
carry a driver prefix. So a file is never handed to GDAL to find out what it is: its name
must end in a listed suffix and its content must start the way that format starts, and only
then is it read, by our own GeoJSON reader, by GDAL, or (tables: CSV, TSV, XLSX, ODS) by
``sheets``. To accept another format, add an entry: its suffixes, a test of its first bytes
and the files GDAL opens beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

HEAD_BYTES = 512  # enough for every signature below (a KML's root element included)


@dataclass(frozen=True)
class FileType:
    name: str
    suffixes: tuple[str, ...]
    reader: Literal["geojson", "gdal", "table"]
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


_ZIP = b"PK\x03\x04"
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def _text(head: bytes) -> bool:
    """Text without NUL bytes: what a CSV is, and what a binary file or a UTF-16 export
    (Excel's "Unicode text") is not. (Text in another encoding is read, and reported with
    how to save it as UTF-8.)"""
    return b"\0" not in head


def _utf8(head: bytes) -> bool:
    """UTF-8 text (a character cut at the end of the head is fine)."""
    if not _text(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _zip(head: bytes) -> bool:
    """A ZIP archive (an XLSX workbook, a KMZ): its contents are checked when it is read."""
    return head.startswith(_ZIP)


def _ods(head: bytes) -> bool:
    """OpenDocument's first entry is the uncompressed file 'mimetype', naming the kind."""
    return head.startswith(_ZIP) and head[30 : 30 + len(_ODS)] == _ODS


def _kml(head: bytes) -> bool:
    """XML text whose root element is <kml> (Google Earth, My Maps)."""
    return _utf8(head) and b"<kml" in head and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


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
    FileType("CSV", (".csv",), "table", _text, "text"),
    FileType("TSV", (".tsv", ".tab"), "table", _text, "text"),
    FileType("XLSX", (".xlsx",), "table", _zip, "an Excel workbook (a ZIP archive)"),
    FileType("ODS", (".ods",), "table", _ods, "an OpenDocument spreadsheet"),
    FileType("KML", (".kml",), "gdal", _kml, "XML with a <kml> root element"),
    FileType("KMZ", (".kmz",), "gdal", _zip, "a zipped KML (a ZIP archive)"),
)
ACCEPTED = "; ".join(f"{t.name} ({', '.join(t.suffixes)})" for t in FILE_TYPES)
# The files beside a layer that are never a layer themselves.
SIDE_SUFFIXES = frozenset(s for t in FILE_TYPES for s in t.beside_stem)


def file_type(name: str) -> FileType | None:
    """The accepted format a file name ends in, if any (case does not matter)."""
    lowered = name.lower()
    return next((t for t in FILE_TYPES if lowered.endswith(t.suffixes)), None)
