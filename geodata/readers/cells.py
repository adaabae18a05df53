"""A table's cells as the values a GeoJSON property would hold, field by field.

A spreadsheet cell holds text, a number, a date or a boolean; a CSV cell holds text. The
checks take what a GeoJSON file would have held, so each field's cells are brought to that
shape here and nothing else is decided: a value that does not fit is passed on as found, and
the checks report it with its row, like any other.

Documented cell forms: a list (``actors``, ``sources``, a claim's positions) is JSON text, as
``query --format csv`` writes it, or for ``actors`` names separated by semicolons; a count is
a whole number or JSON text; ``sensitive`` is true/false, yes/no or 1/0; a time without a UTC
offset is read in the dataset's timezone (a date alone is its local midnight).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import orjson
import pandas as pd

from almaty_map.geodata.readers.table import MISSING

_OFFSET = re.compile(r".*(?:[Zz]|[+-]\d{2}:?\d{2})")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_WHOLE = re.compile(r"\d+")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def is_empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def as_text(value: object) -> object:
    """A cell as text: a whole number without ".0", a date in ISO form, a boolean as
    true/false (an id typed as 7 in a spreadsheet is "7"; one typed as text "007" stays)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def column_text(column: pd.Series) -> list:
    """A column's cells as text, None for an empty one. A column pandas read as text (every
    column of a CSV) is done in one pass over its array rather than a call per cell: a
    100,000-row ACLED export has three million cells."""
    if isinstance(column.dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object, na_value=None)
        values[values == ""] = None
        return values.tolist()
    # Text needs no call (most cells); anything else is brought to text, or None if empty.
    return [
        v if type(v) is str and v else None if is_empty(v) else as_text(v) for v in column.tolist()
    ]


def text(values: list) -> list:
    return [v if type(v) is str and v else MISSING if is_empty(v) else as_text(v) for v in values]


def number_or_json(values: list) -> list:
    """A whole number, or JSON text (a count object, a list of positions)."""
    return [MISSING if is_empty(v) else _number_or_json(v) for v in values]


def _number_or_json(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    if _WHOLE.fullmatch(stripped):
        return int(stripped)
    return _json(stripped) if stripped[:1] in "[{" else value


def _json(value: str) -> object:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value  # reported by the check as not a list (or object), as found


def names(values: list) -> list:
    """A list of names: JSON text, or names separated by semicolons."""
    out: list = []
    for value in values:
        if is_empty(value):
            out.append(MISSING)
        elif isinstance(value, list):
            out.append(value)
        elif isinstance(value, str) and value.lstrip()[:1] == "[":
            out.append(_json(value))
        else:
            out.append([n.strip() for n in str(as_text(value)).split(";") if n.strip()])
    return out


def json_list(values: list) -> list:
    return [MISSING if is_empty(v) else _json(v) if isinstance(v, str) else v for v in values]


def flag(values: list) -> list:
    out: list = []
    for value in values:
        word = str(as_text(value)).strip().lower() if not is_empty(value) else None
        if word is None:
            out.append(MISSING)
        else:
            out.append(True if word in _TRUE else False if word in _FALSE else value)
    return out


def times(values: list, tz: ZoneInfo | None) -> list:
    """ISO text with an offset: as written, or a local date or date-time given its offset
    in ``tz``. Each distinct value is read once (a table of 100,000 events has few days)."""
    seen: dict[object, object] = {}
    out = []
    for value in values:
        if is_empty(value):
            out.append(MISSING)
            continue
        key = value if isinstance(value, str | dt.date) else repr(value)
        if key not in seen:
            seen[key] = _time(value, tz)
        out.append(seen[key])
    return out


def _time(value: object, tz: ZoneInfo | None) -> object:
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    if not isinstance(value, str) or tz is None:
        return value
    stripped = value.strip()
    if _OFFSET.fullmatch(stripped) or not _LOCAL.fullmatch(stripped):
        return value
    try:
        return pd.Timestamp(stripped).tz_localize(tz).isoformat()
    except (ValueError, OverflowError):  # a local time that does not exist, or is ambiguous
        return value


CONVERTERS: dict[str, Callable[[list], list]] = {
    "fatalities": number_or_json,
    "time_source": number_or_json,
    "location_source": number_or_json,
    "fatalities_source": number_or_json,
    "actors": names,
    "sources": json_list,
    "sensitive": flag,
}
