"""Streaming a GeoJSON FeatureCollection into RawTables, faults reported as written.

Parsed here rather than through GDAL: structural faults (a member that is not a Feature,
null geometries, a ``crs`` member, nested ``sources``) must be seen as they are written, not
silently skipped, repaired or flattened. Streaming (ijson's C parser) keeps only one chunk's
Python objects alive; where the streaming parser gives up, ``json_faults`` says where.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import islice, repeat
from typing import BinaryIO

import ijson
import numpy as np

from almaty_map.geodata.errors import Problem, shorten
from almaty_map.geodata.progress import advance
from almaty_map.geodata.readers.json_faults import WHOLE_PARSE_BYTES, fault_between, parse_whole
from almaty_map.geodata.readers.surrogates import ANY_SURROGATE, MARK, Marked, marked_paths
from almaty_map.geodata.readers.table import MISSING, RawTable

_WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "CRS84",
}
_STREAM_FAULTS = (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError)


def read_geojson(
    handle: BinaryIO, file: str, fields: tuple[str, ...], problems: list[Problem], chunk_size: int
) -> Iterator[RawTable]:
    """Stream the features of an open file, ``chunk_size`` at a time (the file is closed
    when they are all read).

    Parsing the whole document first would hold every feature as Python objects at once,
    several times the file's size; streaming keeps only one chunk's objects alive, the rest
    having been checked and kept compactly.
    """
    with handle:
        offset = 0
        source = handle  # what the parser reads (the file itself, or the file Marked)
        try:
            skip = 3 if handle.read(3) == b"\xef\xbb\xbf" else 0
            head: list[Problem] = []
            names_crs, halves = _scan(handle)
            if not _collection_head(handle, skip, file, head, names_crs):
                problems.extend(head)
                return
            total = handle.seek(0, os.SEEK_END)
            handle.seek(skip)
            source = Marked(handle) if halves else handle
            features = ijson.items(source, "features.item", use_float=True)
            while batch := list(islice(features, chunk_size)):
                advance(f"reading {file}", handle.tell(), total)
                yield _table(file, offset, batch, fields, marked=halves)
                offset += len(batch)
            return
        except _STREAM_FAULTS as exc:
            fault, read_to = exc, source.tell()
        except OSError as exc:
            problems.append(Problem(file, f"cannot be read: {exc.strerror or exc}"))
            return
        yield from _after_fault(handle, file, fields, problems, chunk_size, offset, fault, read_to)


def _after_fault(
    handle: BinaryIO,
    file: str,
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
    if os.fstat(handle.fileno()).st_size > WHOLE_PARSE_BYTES:
        problems.append(fault_between(handle, file, fault, read_to))
        return
    parsed = parse_whole(handle, file)
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return
    if offset == 0:  # the head was not checked yet
        features = parsed.get("features", MISSING)
        found = "nothing" if features is MISSING else features
        problem = _head_problem(
            file,
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
        yield _table(file, start, rest[start : start + chunk_size], fields)


def _top_level(handle, skip: int, key: str) -> object:
    """The value of a top-level member (MISSING if absent); stops as soon as it is found."""
    handle.seek(skip)
    return next(ijson.items(handle, key, use_float=True), MISSING)


def _collection_head(
    handle, skip: int, file: str, problems: list[Problem], names_crs: bool
) -> bool:
    """Check the FeatureCollection's own members before streaming its features."""
    handle.seek(skip)
    if not handle.read(1):
        problems.append(Problem(file, "is not valid JSON: the file is empty"))
        return False
    kind = _top_level(handle, skip, "type")
    crs = _top_level(handle, skip, "crs") if names_crs else MISSING
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


def _scan(handle, block: int = 2**24) -> tuple[bool, bool]:
    """Whether the raw bytes name a "crs" member, and whether they hold any escape that may
    be half a surrogate pair; read a block at a time (a memory map would count the whole
    file in the process's resident memory)."""
    handle.seek(0)
    tail = b""
    crs = halves = False
    while data := handle.read(block):
        window = tail + data
        crs = crs or b'"crs"' in window
        halves = halves or (
            (b"\\ud" in window or b"\\uD" in window)  # the regex only where it may match
            and ANY_SURROGATE.search(window) is not None
        )
        tail = window[-8:]
    return crs, halves


def _table(
    file: str, offset: int, features: list, fields: tuple[str, ...], marked: bool = False
) -> RawTable:
    """Columns from one chunk of parsed features, with their structural faults (and, where
    the file was read through ``Marked``, the strings holding half a character)."""
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
        elif marked and (halves := _half_characters(file, offset + i, feature, p)):
            broken[i] = True
            table.problems.extend(halves)
            p = {}
        props.append(p)
    table.broken = broken
    table.feature_ids = [f.get("id") if type(f) is dict else None for f in features]
    table.geometry_json = [
        f.get("geometry", MISSING) if type(f) is dict else MISSING for f in features
    ]
    for name in fields:  # dict.get mapped in C: half the time of a comprehension
        table.columns[name] = list(map(dict.get, props, repeat(name), repeat(MISSING)))
    table.extras = [
        None if known.issuperset(p) else {k: v for k, v in p.items() if k not in known}
        for p in props
    ]
    return table


def _half_characters(file: str, index: int, feature: dict, properties: dict) -> list[Problem]:
    """A problem for each string of the feature that held a lone surrogate escape."""
    paths = list(marked_paths(properties))
    paths += [f"feature {p}" for p in marked_paths(feature.get("id"), "id")]
    feature_id = properties.get("id")
    named = isinstance(feature_id, str | int) and MARK not in str(feature_id)
    return [
        Problem(
            file,
            "holds a lone UTF-16 surrogate escape (half of a character, such as \\ud800), "
            "which is not text",
            index=index,
            feature_id=str(feature_id) if named else None,
            field=path,
            expected="whole characters: the character itself, or both escapes of its pair "
            "(\\ud83d\\ude00)",
        )
        for path in paths
    ]


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
