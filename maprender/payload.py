"""The map's data, encoded once and compactly for the page.

Events travel as columns (one array per property) with repeated strings (places, categories,
worded dates, source fields, actors) in one shared table, so 100,000 events cost one
JSON.parse instead of 100,000 JavaScript objects and popup strings built in Python. Popups
are made in the browser from these columns; ``AlmatyMapLib.Events`` turns them back into
the exact GeoJSON the API serves (a browser test checks every property round-trips).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import orjson
import pandas as pd
import shapely

from geodata import Dataset, Slice, membership
from geodata.model import GEO_PRECISION_RADIUS_M, SOURCE_FIELDS, TIME_PRECISIONS
from maprender.assets import LEAFLET_LICENCE, OWN_LICENCE
from maprender.i18n import Texts
from maprender.uitext import ui_strings
from maprender.wording import slice_dates, slice_label, when_labels

MODES = ("slice", "cumulative", "window")


@dataclass(frozen=True)
class MapOptions:
    """How the map opens: the time-control mode and the sliding window's width."""

    mode: str = "cumulative"
    window: int = 3


class _Dictionary:
    """Strings that repeat (places, worded dates, source fields, actors), stored once.

    Columns are added whole and encoded together with one ``pandas.factorize`` call, so the
    table costs C loops, not a Python call per value. Codes are -1 for none.
    """

    def __init__(self) -> None:
        self._columns: list[list] = []

    def add(self, values: list) -> int:
        self._columns.append(values)
        return len(self._columns) - 1

    def encode(self) -> tuple[list[str], list[list[int]]]:
        lengths = [len(c) for c in self._columns]
        every = np.empty(sum(lengths), dtype=object)
        every[:] = [v for column in self._columns for v in column]
        codes, uniques = pd.factorize(every, use_na_sentinel=True)
        splits = np.split(codes, np.cumsum(lengths)[:-1]) if lengths else []
        return uniques.tolist(), [part.tolist() for part in splits]


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
    strings = _Dictionary()
    start_ns = rows["start"].array.asi8 if len(rows) else np.array([], dtype=np.int64)
    end_ns = _exclusive_ends(rows, start_ns)
    first, last = membership(slices, start_ns, end_ns)
    offsets, start_offset, end_offset = _offsets(rows)
    counts = _slice_counts(first, last, len(slices))
    meta = dataset.meta
    sources = [orjson.loads(v) for v in rows["sources"].tolist()]
    events = _event_columns(rows, sources, strings, first, last, start_offset, end_offset,
                            texts)
    table, codes = strings.encode()
    for name, value in events.items():
        if isinstance(value, _Coded):
            events[name] = value.decode(codes)
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
            "sources": _source_list(sources),
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
        "events": events,
        "strings": table,
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


def _source_list(sources: list[list[dict]]) -> list[dict[str, str]]:
    """Each cited work once, most cited first, for the credits block."""
    counter = Counter((s.get("publication"), s.get("title"), s.get("url"))
                      for event in sources for s in event)
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0][0] or "",
                                                       item[0][1] or ""))
    return [{"publication": p, "title": t, "url": u} for (p, t, u), _ in ranked[:200]]


@dataclass
class _Coded:
    """A column waiting for the shared string table: flat codes, regrouped by ``build``."""

    handles: list[int]
    build: Callable[[list[list[int]]], list]

    def decode(self, codes: list[list[int]]) -> list:
        return self.build([codes[h] for h in self.handles])


def _nested(lengths: list[int]) -> Callable[[list], list[list]]:
    """Regroup a flat list into consecutive runs of the given lengths."""
    bounds = np.cumsum([0, *lengths]).tolist()

    def regroup(flat: list) -> list[list]:
        return [flat[a:b] for a, b in pairwise(bounds)]

    return regroup


def _event_columns(rows: pd.DataFrame, sources: list[list[dict]], strings: _Dictionary,
                   first: np.ndarray, last: np.ndarray, start_offset: list[int],
                   end_offset: list[int], texts: Texts) -> dict[str, object]:
    if not len(rows):
        names = ("id", "title", "description", "category", "start", "end", "start_offset",
                 "end_offset", "time_precision", "when", "place", "place_id", "geo_precision",
                 "fatalities", "actors", "sources", "sensitive", "x", "y", "geometry", "s0",
                 "s1")
        return {name: [] for name in names}
    anchors = shapely.point_on_surface(rows.geometry.array)
    is_point = shapely.get_type_id(rows.geometry.array) == 0
    geometry = [None if point else orjson.loads(text)
                for point, text in zip(is_point, rows["geometry_json"].tolist(), strict=True)]
    end_ns = rows["end"].array.asi8
    actors = [orjson.loads(v) for v in rows["actors"].tolist()]
    flat_sources = [s for event in sources for s in event]
    source_fields = [strings.add([s.get(name) for s in flat_sources]) for name in SOURCE_FIELDS]
    regroup_actors = _nested([len(a) for a in actors])
    regroup_sources = _nested([len(event) for event in sources])
    extras = [{k: v for k, v in s.items() if k not in SOURCE_FIELDS} for s in flat_sources]

    def build_sources(fields: list[list[int]]) -> list:
        entries = [list(entry) for entry in zip(*fields, strict=True)]
        for entry, extra in zip(entries, extras, strict=True):
            if extra:
                entry.append(extra)
        return regroup_sources(entries)

    columns = {
        "id": rows["id"].tolist(),
        "title": rows["title"].tolist(),
        "description": rows["description"].tolist(),
        "category": rows["category"].cat.codes.tolist(),
        "start": (rows["start"].array.asi8 // 10**9).tolist(),
        "end": [None if missing else int(v // 10**9) for v, missing in
                zip(end_ns.tolist(), rows["end"].isna().tolist(), strict=True)],
        "start_offset": start_offset,
        "end_offset": end_offset,
        "time_precision": rows["time_precision"].cat.codes.tolist(),
        "when": _Coded([strings.add(when_labels(rows["start"], rows["end"],
                                                rows["time_precision"], texts))],
                       lambda c: c[0]),
        "place": _Coded([strings.add(rows["place"].tolist())], lambda c: c[0]),
        "place_id": _Coded([strings.add([None if pd.isna(v) else v
                                         for v in rows["place_id"].tolist()])],
                           lambda c: c[0]),
        "geo_precision": rows["geo_precision"].cat.codes.tolist(),
        "fatalities": [None if pd.isna(v) else int(v)
                       for v in rows["fatalities"].astype(object).tolist()],
        "actors": _Coded([strings.add([a for names in actors for a in names])],
                         lambda c: regroup_actors(c[0])),
        "sources": _Coded(source_fields, build_sources),
        "sensitive": rows["sensitive"].astype(int).tolist(),
        "x": shapely.get_x(anchors).tolist(),
        "y": shapely.get_y(anchors).tolist(),
        "geometry": geometry,
        "s0": first.tolist(),
        "s1": last.tolist(),
    }
    if rows["extra"].notna().any():
        columns["extra"] = [None if pd.isna(v) else orjson.loads(v)
                            for v in rows["extra"].tolist()]
    return columns


def _places(dataset: Dataset) -> dict:
    return {"type": "FeatureCollection",
            "features": [orjson.loads(f) for f in dataset.place_json]}


def payload_json(payload: dict) -> bytes:
    """UTF-8 JSON safe to place inside <script type="application/json"> in HTML."""
    data = orjson.dumps(payload)
    for raw, escaped in ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"),
                         ("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029")):
        if raw in data:
            data = data.replace(raw, escaped)
    return data
