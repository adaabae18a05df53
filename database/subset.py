"""A Dataset of only the events a request selected from the database.

``db load`` stores each event as the checks keep it (text as found, times in UTC to the
second, lists and objects as their canonical JSON text), so the rows are already the
checked columns: they are handed to the files' own compaction and frame builder
(``geodata.compact``) as they are, without being checked again, and the derived columns
(coarsened sensitive shapes, times in the dataset's timezone, the written properties) are
made by the same code as for files. The pages, the API and the exports thus write the same
bytes from either backend. The head (the version's metadata, places and corrections, see
``database.head``) is shared, not rebuilt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import orjson
import pandas as pd

from almaty_map.geodata.checks.events import CheckedEvents
from almaty_map.geodata.checks.geometry import shapes_from_geojson
from almaty_map.geodata.compact import compact_events, events_frame
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import GEO_PRECISIONS, JSON_FIELDS, TIME_PRECISIONS

# Stored columns that are kept as they are, and the JSON ones the checks keep as text
# under another name (the stored text is what the checks wrote: orjson's, canonical).
_AS_STORED = ("id", "title", "category", "time_precision", "place", "place_id", "geo_precision")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_JSON_TEXTS = {f"{name}_json": name for name in ("actors", "sources", *JSON_FIELDS, "extra")}


class SubsetError(RuntimeError):
    """Rows of a loaded version that cannot be events: the database was changed by hand,
    since ``db load`` checks every event before it is stored."""


def subset_dataset(head: Dataset, rows: Sequence[dict]) -> Dataset:
    """``head`` with the events of ``rows`` (in any order: the frame sorts them)."""
    checked = checked_rows(rows, head.meta)
    return dataclasses.replace(
        head, events=events_frame(compact_events(checked), head.meta), warnings=()
    )


def checked_rows(rows: Sequence[dict], meta: Metadata) -> CheckedEvents:
    """The stored rows in the shape the checks give the compaction step."""
    columns: dict[str, object] = {name: [row[name] for row in rows] for name in _AS_STORED}
    columns |= {kept: [row[name] for row in rows] for kept, name in _JSON_TEXTS.items()}
    columns["description"] = [row["description"] or "" for row in rows]
    columns["start"] = _utc([row["start"] for row in rows])
    columns["end"] = _utc([row["end"] for row in rows])
    columns["sensitive"] = np.array([row["sensitive"] is True for row in rows], dtype=bool)
    parsed = [orjson.loads(row["geometry"]) for row in rows]
    columns["geometry_json"] = [orjson.dumps(shape).decode() for shape in parsed]
    shapes, _ = shapes_from_geojson(parsed)
    _refuse_unknown(columns, shapes, meta)
    return CheckedEvents(columns, shapes, np.ones(len(rows), dtype=bool), [])


def _utc(times: list) -> pd.Series:
    """Times as the checks keep them: a UTC Series, NaT where there is none. Counted in
    whole microseconds from the epoch (what PostgreSQL keeps), exactly and without
    parsing: pandas' own conversion of aware datetimes took a page 2 ms a column."""
    nat = np.iinfo(np.int64).min
    ns = [nat if t is None else (t - _EPOCH) // _MICROSECOND * 1000 for t in times]
    return pd.Series(np.array(ns, dtype="datetime64[ns]")).dt.tz_localize("UTC")


def _refuse_unknown(columns: dict, shapes: np.ndarray, meta: Metadata) -> None:
    """What the frame cannot hold (a shape GEOS cannot read, a code the version does not
    declare) is an error rather than a silently empty value."""
    codes = (
        ("category", meta.category_ids),
        ("time_precision", TIME_PRECISIONS),
        ("geo_precision", GEO_PRECISIONS),
    )
    for name, allowed in codes:
        unknown = set(columns[name]) - set(allowed)
        if unknown:
            raise SubsetError(f"{name} {sorted(unknown, key=str)[0]!r} is not one of {allowed}")
    unreadable = np.flatnonzero(pd.isna(pd.Series(shapes, dtype=object)).to_numpy())
    if len(unreadable):
        raise SubsetError(f"the geometry of event {columns['id'][unreadable[0]]!r} cannot be read")
