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

from almaty_map.geodata.checks.keys import describe, holding, lookalikes
from almaty_map.geodata.checks.report import REPORT_LIMIT, Reporter, found
from almaty_map.geodata.checks.values import is_text, matches, series, type_is
from almaty_map.geodata.errors import Severity, shorten
from almaty_map.geodata.model import QUOTE_WARN_CHARS, SOURCE_FIELDS

_SOURCE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_SOURCE_EXPECTED = "{publication, title, date, url?, quote?}"
# (member, required, test, expected)
_MEMBER_CHECKS = (
    ("publication", True, is_text, "a non-empty string"),
    ("title", True, is_text, "a non-empty string"),
    ("date", True, lambda c: matches(c, _SOURCE_DATE), "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("url", False, lambda c: matches(c, _URL), "an http:// or https:// address"),
    ("quote", False, is_text, "a short non-empty quote"),
    ("note", False, is_text, "a non-empty string"),
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
    for name, required, test, expected in _MEMBER_CHECKS:
        column = [d.get(name) for d in items]
        missing = series(column).isna().to_numpy()
        bad = is_dict & ~missing & ~test(column)
        if required:
            bad |= is_dict & missing
        _member_rows(rep, flat, bad, name, expected, column)
        if name == "quote":
            lengths = series(column).where(type_is(column, str), "").str.len().to_numpy()
            message = f"is longer than {QUOTE_WARN_CHARS} characters"
            _member_rows(
                rep, flat, lengths > QUOTE_WARN_CHARS, name, expected, column, message, "warning"
            )
    for name, meant in lookalikes(items, SOURCE_FIELDS):
        mask, values = holding(items, name)
        message, expected, severity = describe(name, meant)
        _member_rows(rep, flat, mask, name, expected, values, message, severity)


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
