"""Checking the sources every event must cite: a non-empty list of well-formed citations.

Each event's sources are flattened into one table of sources, so every check is one column
operation whatever the number of sources per event; a problem is reported on the event, with
the source's position in its list (``sources[1].url``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from almaty_map.geodata.checks.keys import describe, holding, lookalikes
from almaty_map.geodata.checks.report import REPORT_LIMIT, Reporter, Shown, found
from almaty_map.geodata.checks.values import (
    filled_text,
    is_text,
    matches,
    matching_text,
    series,
    type_is,
)
from almaty_map.geodata.errors import Severity, shorten
from almaty_map.geodata.model import QUOTE_WARN_CHARS, SOURCE_FIELDS

_SOURCE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_SOURCE_EXPECTED = "{publication, title, date, url?, quote?}"
# (member, required, the pattern it matches whole or None for any non-empty text, expected)
_MEMBER_CHECKS = (
    ("publication", True, None, "a non-empty string"),
    ("title", True, None, "a non-empty string"),
    ("date", True, _SOURCE_DATE, "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("url", False, _URL, "an http:// or https:// address"),
    ("quote", False, None, "a short non-empty quote"),
    ("note", False, None, "a non-empty string"),
)


@dataclass
class _Flat:
    """Every source of every event of the chunk, in order."""

    items: list
    rows: np.ndarray  # the event (row of the chunk) each source belongs to
    position: np.ndarray  # its index in that event's list


def sources(rep: Reporter, values: list) -> None:
    """Report every event without sources and every malformed citation."""
    lengths = _cite_at_least_one(rep, values)
    flat = _flatten(values, lengths)
    if not flat.items:
        return
    is_dict = type_is(flat.items, dict)
    _not_objects(rep, flat, is_dict)
    items = flat.items if is_dict.all() else [d if type(d) is dict else {} for d in flat.items]
    table = _as_text_table(items)
    for name, required, pattern, expected in _MEMBER_CHECKS:
        if table is None:
            column, missing, ok, lengths = _member(items, name, pattern)
        else:
            column, missing, ok, lengths = _text_member(table, name, pattern)
        bad = is_dict & ~missing & ~ok
        if required:
            bad |= is_dict & missing
        _member_rows(rep, flat, bad, name, expected, column)
        if name == "quote":
            message = f"is longer than {QUOTE_WARN_CHARS} characters"
            _member_rows(
                rep, flat, lengths > QUOTE_WARN_CHARS, name, expected, column, message, "warning"
            )
    keys = None if table is None else [field.name for field in table.type]
    for name, meant in lookalikes(items, SOURCE_FIELDS, keys):
        mask, values = holding(items, name)
        message, expected, severity = describe(name, meant)
        _member_rows(rep, flat, mask, name, expected, values, message, severity)


def _member(items: list[dict], name: str, pattern: re.Pattern | None) -> tuple:
    """One member of every source: its values, which are missing, which are well formed,
    and (for the quote) each one's length in characters, 0 if it is not text."""
    column = [d.get(name) for d in items]
    missing = series(column).isna().to_numpy()
    ok = is_text(column) if pattern is None else matches(column, pattern)
    lengths = None
    if name == "quote":  # the one member whose length is checked
        lengths = series(column).where(type_is(column, str), "").str.len().to_numpy()
    return column, missing, ok, lengths


def _as_text_table(items: list[dict]) -> pa.StructArray | None:
    """The sources as one Arrow table when every member of every one is text or null (as in
    nearly every file), so each member is checked in Arrow's loops; None otherwise."""
    try:
        table = pa.array(items)
    except (pa.ArrowException, TypeError, ValueError):  # mixed types: checked value by value
        return None
    if not pa.types.is_struct(table.type):
        return None
    kinds = (table.type.field(i).type for i in range(table.type.num_fields))
    return table if all(t in (pa.string(), pa.null()) for t in kinds) else None


def _text_member(table: pa.StructArray, name: str, pattern: re.Pattern | None) -> tuple:
    """``_member`` of a table of text."""
    if table.type.get_field_index(name) < 0:
        strings = pa.nulls(len(table), pa.string())
    else:
        strings = table.field(name).cast(pa.string())
    missing = strings.is_null().to_numpy(zero_copy_only=False)
    ok = filled_text(strings) if pattern is None else matching_text(strings, pattern)
    lengths = pc.fill_null(pc.utf8_length(strings), 0).to_numpy(zero_copy_only=False)
    return Shown(lambda j: strings[j].as_py()), missing, ok, lengths


def _cite_at_least_one(rep: Reporter, values: list) -> np.ndarray:
    """Report events with no list of sources or an empty one; return each list's length."""
    is_list = type_is(values, list)
    lengths = np.fromiter(
        (len(v) if type(v) is list else 0 for v in values), np.int64, count=len(values)
    )
    rep.rows(
        ~is_list | (lengths == 0),
        "sources",
        "must cite at least one source",
        "a non-empty list of " + _SOURCE_EXPECTED,
        values,
    )
    return lengths


def _flatten(values: list, lengths: np.ndarray) -> _Flat:
    items = list(chain.from_iterable(v for v in values if type(v) is list))
    rows = np.repeat(np.arange(len(values)), lengths)
    position = np.arange(len(items)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return _Flat(items, rows, position)


def _not_objects(rep: Reporter, flat: _Flat, is_dict: np.ndarray) -> None:
    for j in np.flatnonzero(~is_dict)[:REPORT_LIMIT]:
        i = int(flat.rows[j])
        if rep.live[i]:
            rep.problems.append(
                rep.at(
                    i,
                    f"sources[{flat.position[j]}]",
                    "is not an object",
                    _SOURCE_EXPECTED,
                    shorten(flat.items[j]),
                )
            )


def _member_rows(
    rep: Reporter,
    flat: _Flat,
    bad: np.ndarray,
    name: str,
    expected: str,
    column: list,
    message: str = "is missing or malformed",
    severity: Severity = "error",
) -> None:
    """Report the sources in ``bad`` on their events (live ones only), capped per check."""
    hits = [j for j in np.flatnonzero(bad) if rep.live[flat.rows[j]]]
    for j in hits[:REPORT_LIMIT]:
        field = f"sources[{flat.position[j]}].{name}"
        rep.problems.append(
            rep.at(int(flat.rows[j]), field, message, expected, found(column[j]), severity)
        )
