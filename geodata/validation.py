"""Checking every event and place, column by column.

Each chunk of features (10,000 at a time) is checked as whole columns (pandas, Arrow and
shapely do the looping in C), then kept compactly (Arrow text, numpy arrays) so the next
chunk's Python objects can replace it in memory. The report lists every problem, not the
first, with each feature's index in the file; problems are capped per check so a file that
is wrong everywhere still gives a readable report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from almaty_map.geodata.errors import WITHHELD, Problem, shorten
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import (
    GEO_PRECISIONS,
    GEOMETRY_TYPES,
    QUOTE_WARN_CHARS,
    TIME_PRECISIONS,
)
from almaty_map.geodata.reading import MISSING, RawTable, geometries_from_json
from almaty_map.geodata.timeparse import DATETIME_EXPECTED

REPORT_LIMIT = 200
_ISO_WITH_OFFSET = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$"
)
_SOURCE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


@dataclass
class CheckedEvents:
    """Compact, normalised event columns (valid only when ``problems`` has no errors):
    Arrow arrays for text, numpy arrays for flags and geometries, UTC times as Series."""

    columns: dict[str, object]
    live: np.ndarray
    problems: list[Problem]

    @staticmethod
    def combine(parts: list[CheckedEvents]) -> CheckedEvents:
        """One table from the checked chunks, in file order."""
        first = parts[0].columns
        columns: dict[str, object] = {}
        for name, value in list(first.items()):
            pieces = [part.columns.pop(name) for part in parts]  # each piece freed once joined
            if isinstance(value, pa.Array):
                columns[name] = pa.concat_arrays(pieces)
            elif isinstance(value, pd.Series):
                columns[name] = pd.concat(pieces, ignore_index=True)
            else:
                columns[name] = np.concatenate(pieces)
        return CheckedEvents(
            columns,
            np.concatenate([p.live for p in parts]),
            [problem for part in parts for problem in part.problems],
        )

    def geometries(self) -> np.ndarray:
        """Shapely geometries, made once for the whole file: points from their coordinates,
        others from WKB. (Chunks keep no Python objects, so their memory is given back.)"""
        cols = self.columns
        geoms = np.full(len(self.live), None, dtype=object)
        point = cols["is_point"]
        geoms[point] = shapely.points(cols["x"][point], cols["y"][point])
        other = ~point & cols["wkb"].is_valid().to_numpy(zero_copy_only=False)
        if other.any():
            geoms[other] = shapely.from_wkb(cols["wkb"].filter(pa.array(other)).to_pylist())
        return geoms


class _Reporter:
    """Turns boolean masks of failing rows into Problems naming each feature (by its index
    in the file: the chunk's offset plus the row)."""

    def __init__(self, file: str, ids: list[str | None], withheld: np.ndarray, offset: int = 0):
        self.file = file
        self.ids = ids
        self.withheld = withheld
        self.offset = offset
        self.problems: list[Problem] = []

    def rows(
        self,
        mask: np.ndarray,
        field: str,
        message: str,
        expected: str | None,
        values: Iterable | None = None,
        severity: str = "error",
        geometry: bool = False,
    ) -> None:
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        values = list(values) if values is not None else None
        for i in rows[:REPORT_LIMIT]:
            found = None
            if values is not None:
                hide = geometry and self.withheld[i]
                found = WITHHELD if hide else _found(values[i])
            self.problems.append(
                Problem(
                    self.file,
                    message,
                    index=self.offset + int(i),
                    feature_id=self.ids[i],
                    field=field,
                    found=found,
                    expected=expected,
                    severity=severity,
                )
            )
        if len(rows) > REPORT_LIMIT:
            self.problems.append(
                Problem(
                    self.file,
                    f"{len(rows) - REPORT_LIMIT} more features have this problem: {message}",
                    field=field,
                    expected=expected,
                    severity=severity,
                )
            )


def _found(value: object) -> str:
    return "nothing (the property is missing)" if value is MISSING else shorten(value)


def _series(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


def _type_is(values: list | pd.Series, kind: type) -> np.ndarray:
    """Which values are exactly of this type (bool is not int here)."""
    series = values if isinstance(values, pd.Series) else _series(values)
    return series.map(type).eq(kind).to_numpy(copy=True)


def _is_text(values: list, allow_empty: bool = False) -> np.ndarray:
    """Which values are strings (with something other than white space in them)."""
    s = _series(values)
    ok = _type_is(s, str)
    if not allow_empty:
        strings = pa.array(s.where(ok, None), type=pa.string(), from_pandas=True)
        filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(strings)), 0)
        ok &= pc.fill_null(filled, False).to_numpy(zero_copy_only=False)
    return ok


def _absent(values: list) -> np.ndarray:
    s = _series(values)
    return (s.map(lambda v: v is MISSING or v is None)).to_numpy(dtype=bool)


def check_events(table: RawTable, meta: Metadata | None, place_ids: set[str]) -> CheckedEvents:
    """Validate a RawTable of events against the format and the dataset's metadata.

    Without usable metadata (a broken dataset.toml) the checks that need it are skipped, so
    the report still covers the events.
    """
    cols = table.columns
    live = ~table.broken
    ids, id_problems = _ids(table)
    sensitive_raw = cols["sensitive"]
    sensitive = np.array([v is True for v in sensitive_raw], dtype=bool)
    rep = _Reporter(table.file, ids, sensitive, table.offset)
    rep.problems.extend(id_problems)

    text_field = "a non-empty string"
    for name in ("title", "place"):
        rep.rows(live & ~_is_text(cols[name]), name, "is missing or empty", text_field, cols[name])
    description = cols["description"]
    desc_absent = _absent(description)
    rep.rows(
        live & ~desc_absent & ~_is_text(description, allow_empty=True),
        "description",
        "is not text",
        "a string (plain text)",
        description,
    )

    if meta is not None:
        known = _series(cols["category"]).isin(meta.category_ids).to_numpy()
        rep.rows(
            live & ~known,
            "category",
            "is not a declared category",
            "one of " + ", ".join(meta.category_ids) + " (from dataset.toml)",
            cols["category"],
        )

    for name, allowed in (("time_precision", TIME_PRECISIONS), ("geo_precision", GEO_PRECISIONS)):
        ok = _series(cols[name]).isin(allowed).to_numpy()
        rep.rows(live & ~ok, name, "is not a known precision", " | ".join(allowed), cols[name])

    start = _times(rep, live, cols["start"], "start", required=True)
    end = _times(rep, live, cols["end"], "end", required=False)
    reversed_ = (end < start).fillna(False).to_numpy(dtype=bool)
    rep.rows(
        live & reversed_,
        "end",
        "is before start",
        "an end at or after the start",
        [str(v) for v in cols["end"]],
    )

    place_id = cols["place_id"]
    pid_absent = _absent(place_id)
    pid_ok = _series(place_id).isin(place_ids).to_numpy()
    rep.rows(
        live & ~pid_absent & ~pid_ok,
        "place_id",
        "names no place in places file",
        "an id from places.geojson, or no place_id",
        place_id,
    )

    fatalities = _fatalities(rep, live, cols["fatalities"])
    actors = _actors(rep, live, cols["actors"])
    sources = _sources(rep, live, cols["sources"])
    sens_absent = _absent(sensitive_raw)
    sens_bool = _type_is(sensitive_raw, bool)
    rep.rows(
        live & ~sens_absent & ~sens_bool,
        "sensitive",
        "is not true or false",
        "a boolean",
        sensitive_raw,
    )

    geoms = _geometry(rep, live, table, meta)
    columns = {
        "id": _text_array(ids),
        "title": _text_array(cols["title"]),
        "description": _text_array(
            ["" if a else d for a, d in zip(desc_absent, description, strict=True)]
        ),
        "category": _text_array(cols["category"]),
        "start": start,
        "end": end,
        "time_precision": _text_array(cols["time_precision"]),
        "place": _text_array(cols["place"]),
        "place_id": _text_array(
            [None if a else v for a, v in zip(pid_absent, place_id, strict=True)]
        ),
        "geo_precision": _text_array(cols["geo_precision"]),
        "fatalities": pa.array(
            [v if type(v) is int else None for v in fatalities], type=pa.int64()
        ),
        "actors_json": _text_array(_as_json(rep, live, actors, "actors")),
        "sources_json": _text_array(_as_json(rep, live, sources, "sources")),
        "extra_json": _text_array(_as_json(rep, live, table.extras, "properties")),
        "geometry_json": _text_array(_as_json(rep, live, table.geometry_json, "geometry")),
        "sensitive": sensitive,
    }
    columns.update(_compact_geometry(geoms))
    return CheckedEvents(columns, live, rep.problems + table.problems)


def _compact_geometry(geoms: np.ndarray) -> dict[str, object]:
    """Points as coordinate arrays, other shapes as WKB, for ``CheckedEvents.geometries``."""
    is_point = shapely.get_type_id(geoms) == 0
    wkb = np.full(len(geoms), None, dtype=object)
    others = ~is_point & ~pd.isna(pd.Series(geoms, dtype=object)).to_numpy()
    if others.any():
        wkb[others] = shapely.to_wkb(geoms[others])
    return {
        "is_point": is_point,
        "x": shapely.get_x(np.where(is_point, geoms, None)),
        "y": shapely.get_y(np.where(is_point, geoms, None)),
        "wkb": pa.array(wkb, type=pa.binary(), from_pandas=True),
    }


def _text_array(values: list) -> pa.Array:
    """Strings kept compactly; anything else (only in rows with errors) becomes null."""
    return pa.array(
        _series(values).where(_type_is(values, str), None), type=pa.string(), from_pandas=True
    )


def duplicate_ids(file: str, ids: list[str | None] | pa.Array, live: np.ndarray) -> list[Problem]:
    """Ids used twice anywhere in the file (checked once all chunks are read)."""
    if isinstance(ids, pa.Array):
        ids = ids.to_pylist()
    series = pd.Series(ids, dtype=object)
    duplicated = (series.duplicated(keep="first") & series.notna()).to_numpy() & live
    if not duplicated.any():
        return []
    first = {v: i for i, v in reversed(list(enumerate(ids)))}
    return [
        Problem(
            file,
            f"is also used by feature {first[ids[i]]}",
            index=int(i),
            feature_id=ids[i],
            field="id",
            expected="ids unique in the file",
        )
        for i in np.flatnonzero(duplicated)[:REPORT_LIMIT]
    ]


def _as_json(rep: _Reporter, live: np.ndarray, values: list, field: str) -> list[str | None]:
    """Each value as compact JSON text, as it is kept after loading; a value that cannot be
    written back (nested deeper than 254 levels) is reported rather than crashing later."""
    out: list[str | None] = []
    failed = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if value is None or value is MISSING:
            out.append(None)
            continue
        try:
            out.append(orjson.dumps(value).decode())
        except orjson.JSONEncodeError:
            failed[i] = True
            out.append(None)
    rep.rows(
        live & failed,
        field,
        "nests too deeply to be kept",
        "at most 254 levels of nested lists and objects",
    )
    return out


def _ids(table: RawTable) -> tuple[list[str | None], list[Problem]]:
    """Event ids as strings; integers are accepted, and the feature-level id is a fallback.
    (Uniqueness is checked across the whole file by ``duplicate_ids``.)"""
    problems: list[Problem] = []
    raw = table.columns["id"]
    out: list[str | None] = []
    for i, (value, member) in enumerate(zip(raw, table.feature_ids, strict=True)):
        if value is MISSING and member is not None:
            value = member
        elif member is not None and value is not MISSING and str(member) != str(value):
            problems.append(
                Problem(
                    table.file,
                    "differs from the feature's own id",
                    index=table.offset + i,
                    field="id",
                    found=shorten(value),
                    expected=f"the same value as the feature id {member!r}",
                )
            )
        out.append(_id_text(value))
    live = ~table.broken
    for i in np.flatnonzero(live & np.array([v is None for v in out], dtype=bool)):
        problems.append(
            Problem(
                table.file,
                "is missing or not usable",
                index=table.offset + int(i),
                field="id",
                found=_found(raw[i]),
                expected="a non-empty string (or integer) unique in the file",
            )
        )
    return out, problems


def _id_text(value: object) -> str | None:
    if type(value) is int:
        return str(value)
    if type(value) is str and value.strip() and len(value) <= 200:
        return value
    return None


def _times(rep: _Reporter, live: np.ndarray, values: list, field: str, required: bool) -> pd.Series:
    absent = _absent(values)
    s = _series(values)
    text = s.where(_type_is(s, str), None)
    shaped = text.str.match(_ISO_WITH_OFFSET, na=False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")
    parsed = pd.Series(parsed, dtype="datetime64[ns, UTC]")
    bad = live & ~absent & (~shaped | parsed.isna().to_numpy())
    rep.rows(bad, field, "is not a date-time with a UTC offset", DATETIME_EXPECTED, values)
    if required:
        rep.rows(live & absent, field, "is missing", DATETIME_EXPECTED, values)
    fraction = (parsed.notna() & (parsed.dt.floor("s") != parsed)).to_numpy(dtype=bool)
    rep.rows(
        live & fraction,
        field,
        "has fractional seconds, which are dropped",
        "whole seconds",
        values,
        severity="warning",
    )
    return parsed.dt.floor("s")


def _fatalities(rep: _Reporter, live: np.ndarray, values: list) -> list[int | None]:
    absent = _absent(values)
    is_int = _type_is(values, int)
    ok = absent | (is_int & (_series(values).where(is_int, 0).astype("int64") >= 0).to_numpy())
    rep.rows(
        live & ~ok, "fatalities", "is not a count", "an integer >= 0, or null if unknown", values
    )
    return [None if a else v for a, v in zip(absent, values, strict=True)]


def _actors(rep: _Reporter, live: np.ndarray, values: list) -> list[list[str]]:
    absent = _absent(values)
    s = _series(values)
    is_list = _type_is(s, list)
    filled = is_list & (s.where(is_list, ()).map(len) > 0).to_numpy()
    items = s[filled].explode()
    bad_items = items[~items.map(lambda v: type(v) is str and bool(v.strip()))]
    bad = is_list.copy()
    bad[:] = False
    bad[bad_items.index.unique().to_numpy(dtype=int)] = True
    rep.rows(
        live & ~absent & (~is_list | bad),
        "actors",
        "is not a list of names",
        "a list of non-empty strings",
        values,
    )
    return [[] if a else v for a, v in zip(absent, values, strict=True)]


def _sources(rep: _Reporter, live: np.ndarray, values: list) -> list:
    """Each event's sources, flattened into one table of sources so every check is one
    column operation whatever the number of sources per event."""
    is_list = _type_is(values, list)
    lengths = np.fromiter(
        (len(v) if type(v) is list else 0 for v in values), np.int64, count=len(values)
    )
    rep.rows(
        live & (~is_list | (lengths == 0)),
        "sources",
        "must cite at least one source",
        "a non-empty list of {publication, title, date, url?, quote?}",
        values,
    )
    flat = list(chain.from_iterable(v for v in values if type(v) is list))
    if not flat:
        return list(values)
    rows = np.repeat(np.arange(len(values)), lengths)
    position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    is_dict = _type_is(flat, dict)
    for j in np.flatnonzero(~is_dict)[:REPORT_LIMIT]:
        i = rows[j]
        if live[i]:
            rep.problems.append(
                Problem(
                    rep.file,
                    "is not an object",
                    index=rep.offset + int(i),
                    feature_id=rep.ids[i],
                    field=f"sources[{position[j]}]",
                    found=shorten(flat[j]),
                    expected="{publication, title, date, url?, quote?}",
                )
            )
    if not is_dict.all():
        flat = [d if type(d) is dict else {} for d in flat]
    checks = (
        ("publication", True, _is_text, "a non-empty string"),
        ("title", True, _is_text, "a non-empty string"),
        ("date", True, lambda c: _matches(c, _SOURCE_DATE), "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("url", False, lambda c: _matches(c, _URL), "an http:// or https:// address"),
        ("quote", False, _is_text, "a short non-empty quote"),
        ("note", False, _is_text, "a non-empty string"),
    )
    for name, required, test, expected in checks:
        column = [d.get(name) for d in flat]
        absent = _series(column).isna().to_numpy()
        bad = is_dict & ~absent & ~test(column)
        if required:
            bad |= is_dict & absent
        _source_rows(rep, live, bad, rows, position, name, expected, column)
        if name == "quote":
            lengths = _series(column).where(_type_is(column, str), "").str.len().to_numpy()
            _source_rows(
                rep,
                live,
                lengths > QUOTE_WARN_CHARS,
                rows,
                position,
                name,
                expected,
                column,
                severity="warning",
                message=f"is longer than {QUOTE_WARN_CHARS} characters",
            )
    return list(values)


def _matches(values: list, pattern: re.Pattern) -> np.ndarray:
    text = _series(values).where(_type_is(values, str), None)
    return text.str.match(pattern, na=False).to_numpy(dtype=bool)


def _source_rows(
    rep: _Reporter,
    live,
    bad,
    rows,
    position,
    name,
    expected,
    column,
    message: str = "is missing or malformed",
    severity: str = "error",
) -> None:
    hits = [j for j in np.flatnonzero(bad) if live[rows[j]]]
    for j in hits[:REPORT_LIMIT]:
        i = rows[j]
        rep.problems.append(
            Problem(
                rep.file,
                message,
                index=rep.offset + int(i),
                feature_id=rep.ids[i],
                field=f"sources[{position[j]}].{name}",
                found=_found(column[j]),
                expected=expected,
                severity=severity,
            )
        )


def _geometry(
    rep: _Reporter, live: np.ndarray, table: RawTable, meta: Metadata | None
) -> np.ndarray:
    raw = table.geometry_json
    missing = np.array([g is MISSING for g in raw], dtype=bool)
    null = np.array([g is None for g in raw], dtype=bool)
    rep.rows(live & missing, "geometry", "is missing", "a GeoJSON geometry")
    rep.rows(live & null, "geometry", "is null", "a Point, LineString, Polygon or MultiPolygon")
    geoms, malformed = geometries_from_json(table)
    rep.rows(
        live & malformed,
        "geometry",
        "cannot be read (malformed coordinates?)",
        "a valid GeoJSON geometry",
        [_geometry_text(g) for g in raw],
        geometry=True,
    )
    usable = live & ~missing & ~null & ~malformed
    type_names = pd.Series(shapely.get_type_id(geoms)).map(_TYPE_NAMES).to_numpy()
    wrong_type = usable & ~np.isin(type_names, GEOMETRY_TYPES)
    rep.rows(
        wrong_type,
        "geometry",
        "has a type that is not supported",
        " | ".join(GEOMETRY_TYPES),
        type_names,
    )
    usable &= ~wrong_type
    empty = usable & shapely.is_empty(geoms)
    rep.rows(empty, "geometry", "is empty", "at least one position")
    usable &= ~empty
    checkable = np.where(usable, geoms, None)
    invalid = usable & ~shapely.is_valid(checkable)
    if invalid.any():
        reasons = np.full(len(geoms), None, dtype=object)
        reasons[invalid] = shapely.is_valid_reason(checkable[invalid])
        rep.rows(
            invalid,
            "geometry",
            "is not valid",
            "a valid geometry (OGC simple features)",
            reasons,
            geometry=True,
        )
    _coordinate_ranges(rep, usable & ~invalid, checkable, meta)
    return geoms


_TYPE_NAMES = {
    -1: "none",
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def _geometry_text(g: object) -> object:
    return g.get("coordinates", g) if isinstance(g, dict) else g


def _coordinate_ranges(
    rep: _Reporter, usable: np.ndarray, geoms: np.ndarray, meta: Metadata | None
) -> None:
    bounds = shapely.bounds(geoms)
    minx, miny, maxx, maxy = bounds.T
    with np.errstate(invalid="ignore"):
        out_of_range = usable & ((minx < -180) | (maxx > 180) | (miny < -90) | (maxy > 90))
        lat_like = usable & (np.abs(miny) <= 180) & (np.abs(maxy) <= 180)
        swapped_range = out_of_range & (np.abs(minx) <= 90) & (np.abs(maxx) <= 90) & lat_like
    shown = [f"[{a:.6f}, {b:.6f}]" for a, b in zip(minx, miny, strict=True)]
    rep.rows(
        out_of_range & ~swapped_range,
        "geometry",
        "has coordinates out of range",
        "longitude in [-180, 180] and latitude in [-90, 90]",
        shown,
        geometry=True,
    )
    rep.rows(
        swapped_range,
        "geometry",
        "has coordinates out of range; latitude and longitude look swapped",
        "[longitude, latitude] order (RFC 7946)",
        shown,
        geometry=True,
    )
    if meta is None or meta.extent is None:
        return
    ex0, ey0, ex1, ey1 = meta.extent
    with np.errstate(invalid="ignore"):
        inside = (minx >= ex0) & (maxx <= ex1) & (miny >= ey0) & (maxy <= ey1)
        swapped_inside = (miny >= ex0) & (maxy <= ex1) & (minx >= ey0) & (maxx <= ey1)
    outside = usable & ~out_of_range & ~inside
    extent = f"inside the dataset's extent {list(meta.extent)} (dataset.toml)"
    rep.rows(
        outside & swapped_inside,
        "geometry",
        "lies outside the dataset's extent; latitude and longitude look swapped",
        "[longitude, latitude] order, " + extent,
        shown,
        geometry=True,
    )
    rep.rows(
        outside & ~swapped_inside,
        "geometry",
        "lies outside the dataset's extent",
        extent,
        shown,
        geometry=True,
    )


@dataclass
class CheckedPlaces:
    columns: dict[str, object]
    geometry: np.ndarray
    geometry_json: list
    problems: list[Problem]


def check_places(table: RawTable, meta: Metadata | None) -> CheckedPlaces:
    """Validate reference places: an id, a name and a kind, and a usable geometry."""
    cols = table.columns
    live = ~table.broken
    ids, id_problems = _ids(table)
    rep = _Reporter(table.file, ids, np.zeros(table.size, dtype=bool), table.offset)
    rep.problems.extend(id_problems + duplicate_ids(table.file, ids, live))
    for name in ("name", "kind"):
        rep.rows(
            live & ~_is_text(cols[name]),
            name,
            "is missing or empty",
            "a non-empty string",
            cols[name],
        )
    for name in ("name_kk", "name_ru"):
        absent = _absent(cols[name])
        rep.rows(
            live & ~absent & ~_is_text(cols[name]),
            name,
            "is not text",
            "a non-empty string or null",
            cols[name],
        )
    geoms = _geometry(rep, live, table, meta)
    columns = {
        "id": ids,
        "name": cols["name"],
        "name_kk": [None if v is MISSING else v for v in cols["name_kk"]],
        "name_ru": [None if v is MISSING else v for v in cols["name_ru"]],
        "kind": cols["kind"],
        "extra": table.extras,
    }
    return CheckedPlaces(columns, geoms, table.geometry_json, rep.problems + table.problems)
