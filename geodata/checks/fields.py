"""Checks of the plain properties of an event: text, codes, times, names, flags.

Each check reports through the chunk's Reporter and returns the column as it is kept (an
absent optional value made None or empty, times parsed to UTC), so nothing downstream has to
tell "absent" from "null" again.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd

from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.checks.values import absent, is_text, series, type_is
from almaty_map.geodata.readers.table import MISSING
from almaty_map.geodata.timeparse import DATETIME_EXPECTED, EARLIEST, IN_RANGE, LATEST

_ISO_WITH_OFFSET = (
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})"
)


def required_text(rep: Reporter, values: list, name: str) -> None:
    rep.rows(~is_text(values), name, "is missing or empty", "a non-empty string", values)


def optional_text(rep: Reporter, values: list, name: str) -> list:
    """Non-empty text or nothing; kept with None for nothing."""
    missing = absent(values)
    rep.rows(~missing & ~is_text(values), name, "is not text", "a non-empty string or null", values)
    return [None if m else v for m, v in zip(missing, values, strict=True)]


def description(rep: Reporter, values: list) -> list:
    """Plain text, possibly empty; kept as "" when absent, so it can always be searched."""
    missing = absent(values)
    rep.rows(
        ~missing & ~is_text(values, allow_empty=True),
        "description",
        "is not text",
        "a string (plain text)",
        values,
    )
    return ["" if m else v for m, v in zip(missing, values, strict=True)]


def one_of(
    rep: Reporter, values: list, name: str, allowed: tuple[str, ...], message: str, expected: str
) -> None:
    """A code from a fixed list (a category, a precision)."""
    known = series(values).isin(allowed).to_numpy()
    rep.rows(~known, name, message, expected, values)


def times(rep: Reporter, values: list, field: str, required: bool) -> pd.Series:
    """Date-times with their UTC offset, kept in UTC to the whole second.

    The offset is required because a bare local time is ambiguous; fractional seconds are
    only a warning, since dropping them loses nothing a reader could see.
    """
    missing = absent(values)
    shaped, parsed = _parsed_times(values)
    bad = ~missing & (~shaped | parsed.isna().to_numpy())
    rep.rows(bad, field, "is not a date-time with a UTC offset", DATETIME_EXPECTED, values)
    outside = ((parsed < EARLIEST) | (parsed >= LATEST)).to_numpy(dtype=bool)
    rep.rows(outside, field, "is outside the years 1678 to 2261", IN_RANGE, values)
    parsed = pd.Series(parsed.where(~outside), dtype="datetime64[ns, UTC]")
    if required:
        rep.rows(missing, field, "is missing", DATETIME_EXPECTED, values)
    fraction = (parsed.notna() & (parsed.dt.floor("s") != parsed)).to_numpy(dtype=bool)
    rep.rows(
        fraction,
        field,
        "has fractional seconds, which are dropped",
        "whole seconds",
        values,
        severity="warning",
    )
    return parsed.dt.floor("s")


def _parsed_times(values: list) -> tuple[np.ndarray, pd.Series]:
    """Which values are ISO date-times with an offset, and each one's time (NaT if none).
    Each distinct text is read once: a file of 100,000 events has a few hundred times."""
    column = series(values)
    codes, distinct = pd.factorize(column.where(type_is(column, str), None))
    text = pd.Series(distinct, dtype=object)
    shaped = text.str.fullmatch(_ISO_WITH_OFFSET, na=False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")
    none = pd.Series([pd.NaT], dtype=parsed.dtype)  # for the values that are not text
    row = np.where(codes < 0, len(text), codes)
    every = pd.concat([parsed, none], ignore_index=True).iloc[row].reset_index(drop=True)
    return np.append(shaped, False)[row], every


def end_not_before_start(rep: Reporter, start: pd.Series, end: pd.Series, raw: list) -> None:
    reversed_ = (end < start).fillna(False).to_numpy(dtype=bool)
    rep.rows(
        reversed_, "end", "is before start", "an end at or after the start", [str(v) for v in raw]
    )


def place_reference(rep: Reporter, values: list, place_ids: set[str]) -> list:
    """An optional link to the places file; kept with None for no link."""
    missing = absent(values)
    known = series(values).isin(place_ids).to_numpy()
    rep.rows(
        ~missing & ~known,
        "place_id",
        "names no place in places file",
        "an id from places.geojson, or no place_id",
        values,
    )
    return [None if m else v for m, v in zip(missing, values, strict=True)]


def actors(rep: Reporter, values: list) -> list:
    """A list of names, kept as [] when absent."""
    missing = absent(values)
    is_list = type_is(values, list)
    verdicts: dict[int, bool] = {}  # by list: rows read from a table share their lists
    bad = np.fromiter(
        (type(v) is list and _not_names(v, verdicts) for v in values), bool, len(values)
    )
    rep.rows(
        ~missing & (~is_list | bad),
        "actors",
        "is not a list of names",
        "a list of non-empty strings",
        values,
    )
    return [[] if m else v for m, v in zip(missing, values, strict=True)]


def _not_names(names: list, verdicts: dict[int, bool]) -> bool:
    """Whether a list holds anything but non-empty names (decided once per list object)."""
    verdict = verdicts.get(id(names))
    if verdict is None:
        verdict = verdicts[id(names)] = not all(type(n) is str and n.strip() for n in names)
    return verdict


def sensitive(rep: Reporter, values: list) -> None:
    rep.rows(
        ~absent(values) & ~type_is(values, bool),
        "sensitive",
        "is not true or false",
        "a boolean",
        values,
    )


def json_texts(rep: Reporter, values: list, field: str) -> list[str | None]:
    """Each value as compact JSON text, as it is kept after loading; a value that cannot be
    written back (nested deeper than 254 levels) is reported rather than crashing later."""
    try:  # every value writable, as in nearly every file: one comprehension, no bookkeeping
        return [None if v is None or v is MISSING else orjson.dumps(v).decode() for v in values]
    except orjson.JSONEncodeError:
        pass
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
        failed,
        field,
        "nests too deeply to be kept",
        "at most 254 levels of nested lists and objects",
    )
    return out
