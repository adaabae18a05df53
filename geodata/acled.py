"""ACLED's export read as events (``format = "acled"`` in dataset.toml).

ACLED (the Armed Conflict Location & Event Data project) publishes one row per event with
documented columns; its codebook defines the codes mapped here:

- ``time_precision`` 1: the source gives the day; 2: the week (or a similar stretch); 3: only
  the month. They become ``day``, ``week`` and ``month``; ``event_date`` (2022-01-05, or
  "05 January 2022" in some exports) is a local day in the dataset's timezone.
- ``geo_precision`` 1: the coordinates are those of the town the source names; 2: a small
  part of a region, coded to a nearby town; 3: a larger region, coded to a natural location
  or the provincial capital. Even 1 is a town, not a spot in it, so all three become
  ``city``: the map lists these events by place instead of drawing a point it does not have.
  ACLED's own code is kept as ``geo_precision_acled``.
- ``fatalities`` is ACLED's conservative count; 0 means no deaths were reported, not that
  none happened, so it becomes "not reported" (null) and ``fatalities_note`` says why.
- ``notes`` are ACLED's own words: they are the quotation of an "ACLED" source whose note
  names the publications ACLED cites (``source``), so a figure rests on a quoted source.
- No title is given: one is built from ``sub_event_type`` and ``location`` ("Peaceful
  protest in Almaty"), and ``built_fields`` says which fields were built.

Other columns (ACLED's event types, admin areas, inter codes, tags...) stay as extra
properties.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from almaty_map.geodata.readers.cells import column_text
from almaty_map.geodata.readers.distinct import per_distinct_row, per_distinct_value
from almaty_map.geodata.readers.sheets import Sheet

# What init recognises an ACLED export by.
SIGNATURE = ("event_id_cnty", "event_date", "event_type", "latitude", "longitude")
TIME_PRECISIONS = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISIONS = {"1": "city", "2": "city", "3": "city"}
ZERO_NOTE = "ACLED records 0 when no deaths are reported: not reported, not a confirmed zero"
# Each field and the ACLED columns it is built from (named in problems).
ORIGINS = {
    "id": "event_id_cnty",
    "title": "sub_event_type, location",
    "description": "notes",
    "category": "event_type",
    "start": "event_date",
    "time_precision": "time_precision",
    "place": "location, admin1-admin3, country",
    "geo_precision": "geo_precision",
    "fatalities": "fatalities",
    "actors": "actor1, assoc_actor_1, actor2, assoc_actor_2",
    "sources": "notes, source, timestamp",
}
_ACTORS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
_PLACE = ("location", "admin3", "admin2", "admin1", "country")
_CONSUMED = {
    "event_id_cnty",
    "event_date",
    "notes",
    "source",
    "fatalities",
    "time_precision",
    "geo_precision",
    "location",
    *_ACTORS,
}
# The columns read here; the others are passed on as found.
_READ = _CONSUMED | {"event_type", "sub_event_type", "timestamp", *_PLACE}


def is_acled(headings: list[str]) -> bool:
    return set(SIGNATURE) <= set(headings)


def slug(text: str) -> str:
    """A category id from ACLED's event type ("Violence against civilians" ->
    "violence-against-civilians")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "other"


def to_events(sheet: Sheet, categories: dict[str, str | bool]) -> Sheet:
    """The ACLED rows as a sheet whose headings are the event format's fields; ``categories``
    maps event types to category ids ([columns.values.category]), the others are slugged."""
    frame = sheet.frame
    col = {h: column_text(frame[h]) for h in frame.columns if h in _READ}
    n = len(frame)

    def get(name: str) -> list:
        return col.get(name, [None] * n)

    out = {
        "id": get("event_id_cnty"),
        "title": per_distinct_row(
            [get("sub_event_type"), get("event_type"), get("location")], _title
        ),
        "description": get("notes"),
        "category": _categories(get("event_type"), categories),
        "start": per_distinct_value(get("event_date"), _dates),
        "time_precision": [TIME_PRECISIONS.get(v, v) for v in get("time_precision")],
        "place": _places(col, n),
        "geo_precision": [GEO_PRECISIONS.get(v, v) for v in get("geo_precision")],
        "actors": _actors(col, n),
    }
    counts = per_distinct_value(get("fatalities"), lambda values: [_count(v) for v in values])
    out["fatalities"] = counts
    out["fatalities_source"] = [
        0 if isinstance(c, int) and c > 0 and notes else None
        for c, notes in zip(counts, get("notes"), strict=True)
    ]
    out["sources"] = [
        _source(*row)
        for row in zip(
            get("event_id_cnty"),
            get("notes"),
            get("source"),
            per_distinct_value(get("timestamp"), _timestamp_dates),
            out["start"],
            strict=True,
        )
    ]
    added = {
        "geo_precision_acled": get("geo_precision"),
        "fatalities_note": [ZERO_NOTE if c == 0 else None for c in counts],
        "built_fields": ["title"] * n,
    }
    out["fatalities"] = [None if c == 0 else c for c in counts]
    others = {h: _found(frame[h], col.get(h)) for h in frame.columns if h not in _CONSUMED}
    # In this order, a later one's value under the same name winning, in the first's place.
    columns = (
        {h: _objects(v) for h, v in out.items()}
        | others
        | {h: _objects(v) for h, v in added.items()}
    )
    return Sheet(list(columns), pd.DataFrame(columns), sheet.rows, sheet.sheet)


def _found(column: pd.Series, text: list | None) -> pd.api.extensions.ExtensionArray:
    """A column kept as an extra property. One read as text (a CSV's) is passed on as the
    reader's column, which the table reader turns to property values in one pass; a
    workbook's cells are passed on as text, as every other column is."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.array
    return _objects(column_text(column) if text is None else text)


def _objects(values: list) -> pd.api.extensions.ExtensionArray:
    """Values as found, whatever their type (a list stays one value, not a row of them:
    ``fromiter`` never looks inside one, so it costs no inference pass)."""
    return pd.arrays.NumpyExtensionArray(np.fromiter(values, dtype=object, count=len(values)))


def _title(sub_event: str | None, event: str | None, location: str | None) -> str | None:
    what = sub_event or event
    if what is None:
        return None
    return f"{what} in {location}" if location else what


def _categories(types: list, categories: dict[str, str | bool]) -> list:
    """Each event type's category id (a dataset has a handful of types: each slugged once)."""
    ids = {t: categories.get(t, slug(t)) for t in set(types) if t is not None}
    return [None if t is None else ids[t] for t in types]


def _dates(values: list) -> list:
    """ISO dates from either of ACLED's forms; anything else is passed on as found."""
    text = pd.Series(values, dtype=object)
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    worded = pd.to_datetime(text, format="%d %B %Y", errors="coerce")
    parsed = iso.fillna(worded)
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), text).tolist()


def _places(col: dict[str, list], n: int) -> list:
    """The place in words, from the town out (each name once: "Almaty, Kazakhstan")."""
    return per_distinct_row([col.get(h, [None] * n) for h in _PLACE], _place)


def _place(*names: str | None) -> str | None:
    return ", ".join(dict.fromkeys(name for name in names if name)) or None


def _actors(col: dict[str, list], n: int) -> list:
    """Both actors and their associates (which ACLED separates with ";"), each once; rows
    with the same actors share one list."""
    return per_distinct_row([col.get(h, [None] * n) for h in _ACTORS], _names)


def _names(*cells: str | None) -> list[str]:
    return list(
        dict.fromkeys(a.strip() for cell in cells if cell for a in cell.split(";") if a.strip())
    )


def _count(value: str | None) -> object:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return value  # reported by the check, under 'fatalities'


def _source(event_id, notes, cited, changed, start) -> list[dict]:
    """ACLED as the source: its notes quoted, the publications it cites in the note, dated
    by the day of the row's timestamp (when ACLED last changed it) or else by the event."""
    source = {"publication": "ACLED", "title": f"ACLED event {event_id}"}
    date = changed or (start if isinstance(start, str) else None)
    if date is not None:
        source["date"] = date
    if notes:
        source["quote"] = notes
    if cited:
        source["note"] = f"ACLED cites: {cited}"
    return [source]


def _timestamp_dates(values: list) -> list:
    """The UTC day of each Unix timestamp given in digits; None for anything else."""
    text = pd.Series(values, dtype=object)
    digits = text.str.fullmatch(r"\d+", na=False).astype(bool)
    seconds = pd.to_numeric(text.where(digits), errors="coerce")
    stamps = pd.to_datetime(seconds, unit="s", errors="coerce").dt.normalize()
    # Each row's timestamp is its own, but the days are few: each day is written once.
    codes, days = pd.factorize(stamps)
    words = np.append(days.strftime("%Y-%m-%d").to_numpy(dtype=object), None)[codes]
    return pd.Series(words, dtype=object).where(digits, None).tolist()
