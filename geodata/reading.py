"""Turning a features file into columns, whatever its format.

GeoJSON is parsed here rather than through GDAL: structural faults (a member that is not a
Feature, null geometries, a ``crs`` member, nested ``sources``) must be seen as they are
written, not silently skipped, repaired or flattened, and a malformed file must be reported
with its line and column.
Every other format pyogrio reads (GeoPackage, FlatGeobuf, Shapefile, ...) goes through
pyogrio with Arrow and is reprojected to EPSG:4326. Both paths produce the same ``RawTable``,
so one validator checks them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import ijson
import numpy as np
import orjson
import pandas as pd
import pyogrio
import shapely

from almaty_map.geodata.errors import Problem, shorten


class _Missing:
    """Marks a property that is absent (as opposed to present and null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Up to this size a file the streaming parser rejects is parsed whole (see _after_fault).
WHOLE_PARSE_BYTES = 64 * 1024 * 1024
PARSER_BUFFER = 64 * 1024  # ijson's read size
GEOJSON_SUFFIXES = (".geojson", ".json")
_WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "CRS84",
}


CHUNK_SIZE = 10_000


@dataclass
class RawTable:
    """Features as columns, before validation; ``broken`` rows failed structurally.

    A large file arrives as several tables of ``CHUNK_SIZE`` features; ``offset`` is the
    index in the file of a table's first feature.
    """

    file: str
    offset: int = 0
    columns: dict[str, list] = field(default_factory=dict)
    feature_ids: list = field(default_factory=list)
    extras: list[dict | None] = field(default_factory=list)
    geometry_json: list = field(default_factory=list)
    geometry: np.ndarray | None = None
    broken: np.ndarray | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.feature_ids)


def find_file(folder: Path, stem: str) -> tuple[Path | None, list[Problem]]:
    """Find ``<stem>.*`` in a dataset folder; several candidates are an error, not a guess."""
    candidates = sorted(
        p
        for p in folder.glob(f"{stem}.*")
        if p.is_file()
        and p.suffix.lower()
        not in {".md", ".txt", ".toml", ".xml", ".cpg", ".dbf", ".shx", ".prj", ".qmd", ".sbn"}
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
    """Read a features file as RawTables of at most ``chunk_size`` features."""
    problems: list[Problem] = []
    reading = Reading(path.name, problems, iter(()))
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read: {exc.strerror}"))
        return reading
    if size > max_bytes:
        problems.append(
            Problem(
                path.name,
                "is too large to load",
                found=f"{size / 2**20:,.0f} MiB",
                expected=f"at most {max_bytes / 2**20:,.0f} MiB (raise the limit with --max-size "
                "or ALMATY_MAP_MAX_FILE_MB, or split the file)",
            )
        )
        return reading
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        reading.chunks = _read_geojson(path, fields, problems, chunk_size)
    else:
        reading.chunks = _read_with_pyogrio(path, fields, problems)
    return reading


def _read_geojson(
    path: Path, fields: tuple[str, ...], problems: list[Problem], chunk_size: int
) -> Iterator[RawTable]:
    """Stream the features (ijson's C parser), ``chunk_size`` at a time.

    Parsing the whole document first would hold every feature as Python objects at once,
    several times the file's size; streaming keeps only one chunk's objects alive, the rest
    having been checked and kept compactly.
    """
    offset = 0
    try:
        with path.open("rb") as handle:
            try:
                skip = 3 if handle.read(3) == b"\xef\xbb\xbf" else 0
                head: list[Problem] = []
                if not _collection_head(handle, skip, path.name, head):
                    problems.extend(head)
                    return
                handle.seek(skip)
                features = ijson.items(handle, "features.item", use_float=True)
                while batch := list(islice(features, chunk_size)):
                    yield _table(path.name, offset, batch, fields)
                    offset += len(batch)
                return
            except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
                fault, read_to = exc, handle.tell()
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read: {exc.strerror}"))
        return
    yield from _after_fault(path, fields, problems, chunk_size, offset, fault, read_to)


def _after_fault(
    path: Path,
    fields: tuple[str, ...],
    problems: list[Problem],
    chunk_size: int,
    offset: int,
    fault: Exception,
    read_to: int,
) -> Iterator[RawTable]:
    """Report where the streaming parser gave up, or go on with a whole parse.

    A file of up to WHOLE_PARSE_BYTES is parsed again whole, by orjson, which knows the line
    and column of a fault and reads integers beyond 64 bits. A larger one would cost several
    times its size in memory, so the report gives the lines the fault lies between instead.
    """
    if path.stat().st_size > WHOLE_PARSE_BYTES:
        problems.append(_fault_between(path, fault, read_to))
        return
    parsed = _parse_whole(path)
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return
    if offset == 0:  # the head was not checked yet
        features = parsed.get("features", MISSING)
        found = "nothing" if features is MISSING else features
        problem = _head_problem(
            path.name,
            parsed.get("type", MISSING),
            parsed.get("crs", MISSING),
            isinstance(features, list),
            found,
        )
        if problem:
            problems.append(problem)
            return
    rest = parsed["features"]
    for start in range(offset, len(rest), chunk_size):
        yield _table(path.name, start, rest[start : start + chunk_size], fields)


def _fault_between(path: Path, fault: Exception, read_to: int) -> Problem:
    """The streaming parser reads PARSER_BUFFER bytes at a time, so the fault lies in the
    last buffer it read: count the lines up to either end of it."""
    first = _line_at(path, max(0, read_to - PARSER_BUFFER))
    last = first + _newlines(path, max(0, read_to - PARSER_BUFFER), read_to)
    reason = str(fault).strip().splitlines()[0] if str(fault).strip() else type(fault).__name__
    if "integer overflow" in reason:
        reason = "a number too large to read (an integer beyond 64 bits)"
    return Problem(
        path.name, f"is not valid JSON between line {first:,} and line {last:,}: {reason}"
    )


def _line_at(path: Path, position: int) -> int:
    return 1 + _newlines(path, 0, position)


def _newlines(path: Path, start: int, stop: int) -> int:
    """Newlines in a byte range of a file, read in blocks so a large file is never held."""
    count = 0
    with path.open("rb") as handle:
        handle.seek(start)
        remaining = stop - start
        while remaining > 0 and (block := handle.read(min(remaining, 2**24))):
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def _parse_whole(path: Path) -> dict | Problem:
    """Parse a file the streaming parser gave up on, whole, with orjson.

    Either the JSON is broken, and orjson knows the line and column of the fault, or it is
    valid JSON the streaming parser cannot hold (an integer beyond 64 bits), and its
    features are checked like any others.
    """
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as fault:
        return Problem(
            path.name, f"is not valid JSON: {fault.msg}", line=fault.lineno, column=fault.colno
        )
    if isinstance(doc, dict):
        return doc
    return Problem(
        path.name,
        "is not a GeoJSON FeatureCollection",
        found=f"a JSON {type(doc).__name__}",
        expected="an object with type 'FeatureCollection'",
    )


def _top_level(handle, skip: int, key: str) -> object:
    """The value of a top-level member (MISSING if absent); stops as soon as it is found."""
    handle.seek(skip)
    return next(ijson.items(handle, key, use_float=True), MISSING)


def _collection_head(handle, skip: int, file: str, problems: list[Problem]) -> bool:
    """Check the FeatureCollection's own members before streaming its features."""
    handle.seek(skip)
    if not handle.read(1):
        problems.append(Problem(file, "is not valid JSON: the file is empty"))
        return False
    kind = _top_level(handle, skip, "type")
    crs = _top_level(handle, skip, "crs") if _mentions(handle, b'"crs"') else MISSING
    handle.seek(skip)
    features = next(
        (event for prefix, event, _ in ijson.parse(handle) if prefix == "features"), None
    )
    problem = _head_problem(file, kind, crs, features == "start_array", features)
    if problem:
        problems.append(problem)
    return problem is None


def _head_problem(
    file: str, kind: object, crs: object, has_list: bool, features: object
) -> Problem | None:
    """What is wrong with a FeatureCollection's own members, if anything."""
    if kind != "FeatureCollection":
        return Problem(
            file,
            "is not a GeoJSON FeatureCollection",
            field="type",
            found=_found_kind(kind),
            expected="'FeatureCollection'",
        )
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if crs is not MISSING and crs is not None and name not in _WGS84_CRS_NAMES:
        return Problem(
            file,
            "declares a coordinate reference system other than WGS84",
            field="crs",
            found=shorten(name if name else crs),
            expected="no 'crs' member (RFC 7946 GeoJSON is always WGS84 lon/lat); "
            "reproject with ogr2ogr -t_srs EPSG:4326 or use a GeoPackage",
        )
    if not has_list:
        return Problem(
            file,
            "has no list of features",
            field="features",
            found=shorten(features or "nothing"),
            expected="a 'features' array",
        )
    return None


def _found_kind(kind: object) -> str:
    return "nothing (no top-level 'type')" if kind is MISSING else shorten(kind)


def _mentions(handle, needle: bytes, block: int = 2**24) -> bool:
    """Whether the raw bytes contain ``needle``, read a block at a time (a memory map would
    count the whole file in the process's resident memory)."""
    handle.seek(0)
    tail = b""
    while data := handle.read(block):
        window = tail + data
        if needle in window:
            return True
        tail = window[-(len(needle) - 1) :]
    return False


def _table(file: str, offset: int, features: list, fields: tuple[str, ...]) -> RawTable:
    """Columns from one chunk of parsed features, with their structural faults."""
    table = RawTable(file, offset)
    known = set(fields)
    props: list[dict] = []
    broken = np.zeros(len(features), dtype=bool)
    for i, feature in enumerate(features):
        p = feature.get("properties") if type(feature) is dict else None
        if type(feature) is not dict or feature.get("type") != "Feature" or type(p) is not dict:
            broken[i] = True
            table.problems.append(_structure_problem(file, offset + i, feature))
            p = {}
        props.append(p)
    table.broken = broken
    table.feature_ids = [f.get("id") if type(f) is dict else None for f in features]
    table.geometry_json = [
        f.get("geometry", MISSING) if type(f) is dict else MISSING for f in features
    ]
    for name in fields:
        table.columns[name] = [p.get(name, MISSING) for p in props]
    table.extras = [
        None if known.issuperset(p) else {k: v for k, v in p.items() if k not in known}
        for p in props
    ]
    return table


def _structure_problem(file: str, index: int, feature: object) -> Problem:
    if type(feature) is not dict:
        return Problem(
            file,
            "is not a GeoJSON Feature object",
            index=index,
            found=shorten(type(feature).__name__),
            expected="an object",
        )
    if feature.get("type") != "Feature":
        return Problem(
            file,
            "is not a GeoJSON Feature",
            index=index,
            field="type",
            found=shorten(feature.get("type")),
            expected="'Feature'",
        )
    return Problem(
        file,
        "has no properties object",
        index=index,
        field="properties",
        found=shorten(feature.get("properties")),
        expected="an object",
    )


def _read_with_pyogrio(
    path: Path, fields: tuple[str, ...], problems: list[Problem]
) -> Iterator[RawTable]:
    """Any format GDAL reads, in one table (GDAL's Arrow reader keeps it compact)."""
    try:
        frame = pyogrio.read_dataframe(path, use_arrow=True)
    except Exception as exc:  # GDAL raises many types; all mean "unreadable"
        problems.append(Problem(path.name, f"cannot be read by GDAL: {exc}"))
        return
    if frame.crs is None:
        problems.append(
            Problem(
                path.name,
                "has no coordinate reference system",
                expected="a layer with a CRS (it is reprojected to EPSG:4326), or GeoJSON in WGS84",
            )
        )
        return
    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    table = RawTable(path.name)
    n = len(frame)
    table.broken = np.zeros(n, dtype=bool)
    table.geometry = np.asarray(frame.geometry.array, dtype=object)
    table.geometry_json = [
        MISSING if text is None else orjson.loads(text)
        for text in shapely.to_geojson(table.geometry)
    ]
    table.feature_ids = [None] * n
    known = set(fields)
    for name in fields:
        table.columns[name] = (
            _column_values(frame[name], name) if name in frame.columns else [MISSING] * n
        )
    others = [c for c in frame.columns if c not in known and c != frame.geometry.name]
    records = frame[others].to_dict("records") if others else [None] * n
    table.extras = [
        {k: _plain(v) for k, v in r.items()} if r is not None else None for r in records
    ]
    yield table


def _column_values(series: pd.Series, name: str) -> list:
    """Bring a GDAL column to the shapes a GeoJSON property would have."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return [None if pd.isna(v) else v.isoformat() for v in series]
    values = [_plain(v) for v in series.tolist()]
    if name in {"actors", "sources"}:
        return [_json_or_value(v) for v in values]
    if name == "fatalities":  # a column with nulls comes back as float
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    if name == "sensitive":  # GeoPackage stores booleans as 0/1
        return [bool(v) if v in (0, 1) and not isinstance(v, bool) else v for v in values]
    return values


def _plain(value: object) -> object:
    """None for missing values, Python scalars for numpy ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _json_or_value(value: object) -> object:
    """List-valued properties travel through GeoPackage and friends as JSON text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def geometries_from_json(table: RawTable) -> tuple[np.ndarray, np.ndarray]:
    """Shapely geometries for the GeoJSON path; the second array marks unreadable ones."""
    if table.geometry is not None:
        return table.geometry, np.zeros(len(table.geometry), dtype=bool)
    raw = table.geometry_json
    present = np.array([type(g) is dict for g in raw], dtype=bool)
    geoms = np.empty(len(raw), dtype=object)
    # Points with two plain numbers (nearly every event) are made in one vectorised call;
    # everything else goes through GEOS's GeoJSON reader, which reports malformed input.
    simple = np.array(
        [type(g) is dict and g.get("type") == "Point" and _plain_xy(g) for g in raw], dtype=bool
    )
    if simple.any():
        xy = np.array([raw[i]["coordinates"] for i in np.flatnonzero(simple)], dtype=float)
        geoms[simple] = shapely.points(xy)
    rest = present & ~simple
    if rest.any():
        texts = np.array([orjson.dumps(raw[i]) for i in np.flatnonzero(rest)], dtype=object)
        geoms[rest] = shapely.from_geojson(texts, on_invalid="ignore")
    malformed = present & pd.isna(pd.Series(geoms, dtype=object)).to_numpy()
    table.geometry = geoms
    return geoms, malformed


def _plain_xy(geometry: dict) -> bool:
    coordinates = geometry.get("coordinates")
    return (
        type(coordinates) is list
        and len(coordinates) == 2
        and type(coordinates[0]) in (int, float)
        and type(coordinates[1]) in (int, float)
    )
