"""The map's data, encoded once and compactly for the page.

Events travel as columns (one array per property) with repeated strings (places, categories,
worded dates, source fields, actors) in one shared table, so 100,000 events cost one
JSON.parse instead of 100,000 JavaScript objects and popup strings built in Python. Popups
are made in the browser from these columns; ``AlmatyMapLib.Events`` turns them back into
the exact GeoJSON the API serves (a browser test checks every property round-trips).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd
import shapely

from geodata import Dataset, Slice, membership
from geodata.model import GEO_PRECISION_RADIUS_M, SOURCE_FIELDS, TIME_PRECISIONS
from maprender.assets import LEAFLET_LICENCE, OWN_LICENCE
from maprender.i18n import Texts
from maprender.uitext import ui_strings
from maprender.wording import slice_dates, slice_label, when

MODES = ("slice", "cumulative", "window")


@dataclass(frozen=True)
class MapOptions:
    """How the map opens: the time-control mode and the sliding window's width."""

    mode: str = "cumulative"
    window: int = 3


class _Strings:
    """A table of distinct strings; columns hold indices (-1 for none)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def table(self) -> list[str]:
        return list(self.index)


def precision_entries(texts: Texts) -> list[dict[str, object]]:
    _ = texts.gettext
    labels = {
        "exact": (_("Exact location"), _("The location is known precisely.")),
        "approximate": (_("Approximate (within about 250 m)"),
                        _("The location is approximate: within about 250 m.")),
        "area": (_("Area (within about 1 km)"),
                 _("Only the area is known: within about 1 km.")),
        "city": (_("City only (within about 10 km)"),
                 _("Only the city is known; the marker is the city centre, not the place.")),
    }
    return [
        {"id": name, "radius": radius, "label": labels[name][0], "description": labels[name][1]}
        for name, radius in GEO_PRECISION_RADIUS_M.items()
    ]


def build_payload(dataset: Dataset, positions: Sequence[int], slices: list[Slice],
                  texts: Texts, options: MapOptions = MapOptions(),
                  title: str | None = None) -> dict:
    """Everything the page's JavaScript needs, as plain JSON-ready values."""
    rows = dataset.events.iloc[list(positions)]
    strings = _Strings()
    start_ns = rows["start"].array.asi8 if len(rows) else np.array([], dtype=np.int64)
    end_ns = _exclusive_ends(rows, start_ns)
    first, last = membership(slices, start_ns, end_ns)
    offsets, start_offset, end_offset = _offsets(rows)
    counts = _slice_counts(first, last, len(slices))
    meta = dataset.meta
    return {
        "version": 1,
        "language": texts.language,
        "dataset": {
            "title": title or meta.title,
            "summary": meta.summary,
            "version": meta.version,
            "licence": meta.licence,
            "credits": meta.credits,
            "timezone": meta.timezone,
            "sources": _source_list(rows),
        },
        "categories": [
            {"id": c.id, "label": c.label, "colour": c.colour, "symbol": c.symbol}
            for c in meta.categories
        ],
        "precisions": precision_entries(texts),
        "time_precisions": list(TIME_PRECISIONS),
        "extent": list(meta.extent) if meta.extent else None,
        "mode": options.mode,
        "window": options.window,
        "slices": [
            {"label": slice_label(s, texts), "dates": slice_dates(s, texts),
             "start": s.start.isoformat(), "end": s.end.isoformat(), "caption": s.caption,
             "count": int(n)}
            for s, n in zip(slices, counts, strict=True)
        ],
        "offsets": offsets,
        "events": _event_columns(dataset, rows, strings, first, last, start_offset, end_offset,
                                 texts),
        "strings": strings.table(),
        "places": _places(dataset),
        "place_names": {
            row.id: {"name": row.name, "name_kk": row.name_kk, "name_ru": row.name_ru}
            for row in dataset.places.itertuples(index=False)
        },
        "text": ui_strings(texts, options.window),
        "licences": [OWN_LICENCE, LEAFLET_LICENCE],
    }


def _exclusive_ends(rows: pd.DataFrame, start_ns: np.ndarray) -> np.ndarray:
    if not len(rows):
        return start_ns
    end = rows["end"].array.asi8
    end = np.where(rows["end"].isna().to_numpy(), start_ns, end)
    return np.maximum(end, start_ns + 1)


def _offsets(rows: pd.DataFrame) -> tuple[list[int], list[int], list[int]]:
    """UTC offsets in minutes (a small table) and each event's index into it."""
    def minutes(column: pd.Series) -> np.ndarray:
        local = column.dt.tz_localize(None).array.asi8
        return (local - column.array.asi8) // 60_000_000_000

    if not len(rows):
        return [], [], []
    start = minutes(rows["start"])
    end_column = rows["end"].fillna(rows["start"])
    end = minutes(end_column)
    table = sorted(set(start.tolist()) | set(end.tolist()))
    where = {v: k for k, v in enumerate(table)}
    return table, [where[v] for v in start.tolist()], [where[v] for v in end.tolist()]


def _slice_counts(first: np.ndarray, last: np.ndarray, n: int) -> np.ndarray:
    """Events overlapping each slice, from the (first, last) ranges, via a difference array."""
    diff = np.zeros(n + 1, dtype=np.int64)
    inside = first >= 0
    np.add.at(diff, first[inside], 1)
    np.add.at(diff, last[inside] + 1, -1)
    return np.cumsum(diff)[:n]


def _source_list(rows: pd.DataFrame) -> list[dict[str, str]]:
    """Each cited work once, most cited first, for the credits block."""
    counter: Counter = Counter()
    for sources in rows["sources"]:
        for s in orjson.loads(sources):
            counter[(s.get("publication"), s.get("title"), s.get("url"))] += 1
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0][0] or "",
                                                       item[0][1] or ""))
    return [{"publication": p, "title": t, "url": u} for (p, t, u), _ in ranked[:200]]


def _event_columns(dataset: Dataset, rows: pd.DataFrame, strings: _Strings,
                   first: np.ndarray, last: np.ndarray, start_offset: list[int],
                   end_offset: list[int], texts: Texts) -> dict[str, list]:
    if not len(rows):
        names = ("id", "title", "description", "category", "start", "end", "start_offset",
                 "end_offset", "time_precision", "when", "place", "place_id", "geo_precision",
                 "fatalities", "actors", "sources", "sensitive", "x", "y", "geometry", "s0",
                 "s1")
        return {name: [] for name in names}
    anchors = shapely.point_on_surface(rows.geometry.array)
    is_point = shapely.get_type_id(rows.geometry.array) == 0
    geometry = [None if point else orjson.loads(text)
                for point, text in zip(is_point, rows["geometry_json"], strict=True)]
    starts = rows["start"].tolist()
    ends = rows["end"].tolist()
    tprec = rows["time_precision"].astype(str).tolist()
    columns = {
        "id": rows["id"].tolist(),
        "title": rows["title"].tolist(),
        "description": rows["description"].tolist(),
        "category": rows["category"].cat.codes.tolist(),
        "start": (rows["start"].array.asi8 // 10**9).tolist(),
        "end": [None if pd.isna(e) else int(e.value // 10**9) for e in ends],
        "start_offset": start_offset,
        "end_offset": end_offset,
        "time_precision": rows["time_precision"].cat.codes.tolist(),
        "when": [strings(when(s, e, p, texts)) for s, e, p in zip(starts, ends, tprec,
                                                                  strict=True)],
        "place": [strings(v) for v in rows["place"]],
        "place_id": [strings(None if pd.isna(v) else v) for v in rows["place_id"]],
        "geo_precision": rows["geo_precision"].cat.codes.tolist(),
        "fatalities": [None if pd.isna(v) else int(v) for v in rows["fatalities"]],
        "actors": [[strings(a) for a in orjson.loads(actors)] for actors in rows["actors"]],
        "sources": [[_source(s, strings) for s in orjson.loads(sources)]
                    for sources in rows["sources"]],
        "sensitive": rows["sensitive"].astype(int).tolist(),
        "x": shapely.get_x(anchors).tolist(),
        "y": shapely.get_y(anchors).tolist(),
        "geometry": geometry,
        "s0": first.tolist(),
        "s1": last.tolist(),
    }
    if rows["extra"].notna().any():
        columns["extra"] = [None if pd.isna(v) else orjson.loads(v) for v in rows["extra"]]
    return columns


def _source(source: dict, strings: _Strings) -> list:
    entry: list = [strings(source.get(name)) for name in SOURCE_FIELDS]
    extra = {k: v for k, v in source.items() if k not in SOURCE_FIELDS}
    if extra:
        entry.append(extra)
    return entry


def _places(dataset: Dataset) -> dict:
    return {"type": "FeatureCollection",
            "features": [orjson.loads(f) for f in dataset.place_json]}


def payload_json(payload: dict) -> str:
    """JSON safe to place inside <script type="application/json"> in HTML."""
    text = orjson.dumps(payload).decode()
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
