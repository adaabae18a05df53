"""The map's data, encoded once and compactly for the page.

Events travel as columns (one array per property) with repeated strings (places, worded
dates, source fields, actors) in one shared table, so 100,000 events cost one JSON.parse
instead of 100,000 JavaScript objects and card strings built in Python. Cards are made in
the browser from these columns; ``AlmatyMapLib.Events`` turns them back into the exact
GeoJSON the API serves (a browser test checks that every property round-trips).

The event columns (``events`` in the document):

- ``id``, ``title``, ``description``: strings.
- ``category``, ``time_precision``, ``geo_precision``: indices into the dataset's lists.
- ``t0`` (epoch seconds) and ``start``: seconds after ``t0``; ``duration``: seconds from
  start to end, -1 without an end.
- ``offset``, ``end_offset``: UTC offsets in minutes, one number when all events share it.
- ``when``, ``place``, ``place_id``: indices into ``strings`` (-1 for none).
- ``fatalities``, ``time_source``, ``location_source``, ``fatalities_source``,
  ``translations``: indices into ``strings`` of the canonical JSON text of the count, the
  source positions or the translations (-1 for none).
- ``actors``: string indices of every event's actors, one flat list, with ``actor_n`` the
  number each event has. ``sources`` likewise with ``source_n``: each entry the string
  indices of publication, title, author, date, url, quote, note (trailing -1s dropped), with
  any other keys as an object in an eighth place.
- ``sensitive``: the indices of sensitive events.
- ``x``, ``y``: the anchor point; ``shapes``: {index: geometry} for events that are not points.
- ``extra``: {index: object} of other properties.
- ``translated``: {index: {lang, title, place, description}}: the event's translation for
  the page's language (any of the three texts), for events that have one.
- ``s0``, ``s1``: the first and last time slice each event overlaps (-1 for none).

The columns are serialised one at a time and their Python lists dropped straight away, so a
100,000-event map never holds all of them at once. They travel in two blocks (``Payload``):
what drawing needs first, the rest after.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd
import shapely

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.formats import JSON_FIELDS
from almaty_map.geodata.intervals import exclusive_ends
from almaty_map.geodata.memory import collector_paused
from almaty_map.geodata.model import GEO_PRECISION_RADIUS_M, SOURCE_FIELDS, TIME_PRECISIONS
from almaty_map.geodata.timeslices import Slice, membership
from almaty_map.language.choice import names_for_reader, translation_for_reader
from almaty_map.language.counts import count_text
from almaty_map.language.dates import day, slice_dates, slice_label, when_labels
from almaty_map.language.texts import Texts
from almaty_map.language.ui import ui_strings
from almaty_map.maprender.assets import LEAFLET_LICENCE, OWN_LICENCE
from almaty_map.maprender.certainty import draws_city_precision
from almaty_map.maprender.options import MapOptions

_HTML_UNSAFE = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def precision_entries(texts: Texts, city_drawn: bool) -> list[dict[str, object]]:
    """The precisions, worded; ``city_drawn`` from ``certainty.draws_city_precision``: on a
    map of one city, an event placed only in the city is listed apart, not drawn."""
    _ = texts.gettext
    city = (
        _("Only the city or town is known: drawn at its centre, within about 10 km.")
        if city_drawn
        else _("Only the city is known, so the map does not draw it at any one spot.")
    )
    labels = {
        "exact": (_("Exact location"), _("The location is known precisely.")),
        "approximate": (
            _("Approximate (within about 250 m)"),
            _("The location is approximate: within about 250 m."),
        ),
        "area": (_("Area (within about 1 km)"), _("Only the area is known: within about 1 km.")),
        "city": (_("City only (within about 10 km)"), city),
    }
    return [
        {
            "id": name,
            "radius": radius,
            "label": labels[name][0],
            "description": labels[name][1],
            "drawn": city_drawn or name != "city",
        }
        for name, radius in GEO_PRECISION_RADIUS_M.items()
    ]


@dataclass(frozen=True)
class Payload:
    """The two data blocks of a page, UTF-8 JSON safe inside <script type=...>.

    ``drawing`` holds the metadata and what the canvas needs to draw every event (position,
    category, precision, time slices); ``details`` holds everything else. The page draws as
    soon as the small first block is read, and reads the second after that, so 100,000
    events are on screen well before their descriptions and sources have been parsed.
    """

    drawing: bytes
    # In pieces, which joined are the block: at 100,000 events it is a hundred MB of JSON,
    # which the export compresses a piece at a time rather than copying it whole first.
    details: tuple[bytes, ...]


_NUMPY = orjson.OPT_SERIALIZE_NUMPY
DRAWING_COLUMNS = ("n", "category", "geo_precision", "x", "y", "shapes", "s0", "s1")


def payload_bytes(
    dataset: Dataset,
    positions: Sequence[int],
    slices: list[Slice],
    texts: Texts,
    options: MapOptions = MapOptions(),
    title: str | None = None,
) -> Payload:
    """The page's data, split into the drawing block and the details block."""
    rows = _rows(dataset.events, positions)
    start_ns = rows["start"].array.asi8 if len(rows) else np.array([], dtype=np.int64)
    end_ns = exclusive_ends(start_ns, rows["end"])
    first, last = membership(slices, start_ns, end_ns)
    with collector_paused():  # sources and actors parsed: many objects, no cycles
        columns, strings, cited = _event_columns(rows, first, last, texts)
    head = _document_head(dataset, cited, slices, first, last, texts, options, title)
    drawing = [piece for name, piece in columns if name in DRAWING_COLUMNS]
    details = [piece for name, piece in columns if name not in DRAWING_COLUMNS]
    del columns
    first_block = b"".join([orjson.dumps(head)[:-1], b',"events":{', b",".join(drawing), b"}}"])
    second_block = [b'{"events":{', *_comma_separated(details)]
    second_block += [b'},"strings":', orjson.dumps(strings), b"}"]
    del details
    for i, piece in enumerate(second_block):  # each original freed as it is replaced
        second_block[i] = html_safe(piece)
    return Payload(html_safe(first_block), tuple(second_block))


def _comma_separated(pieces: list[bytes]) -> list[bytes]:
    return [part for i, piece in enumerate(pieces) for part in ((b",", piece) if i else (piece,))]


def html_safe(document: bytes) -> bytes:
    """JSON made safe to sit inside <script type=...>: no <, > or & (so no </script>), and
    no line separators older JavaScript engines choke on."""
    for raw, escaped in _HTML_UNSAFE:
        if raw in document:
            document = document.replace(raw, escaped)
    return document


def _document_head(
    dataset: Dataset,
    cited: list[dict[str, str]],
    slices: list[Slice],
    first: np.ndarray,
    last: np.ndarray,
    texts: Texts,
    options: MapOptions,
    title: str | None,
) -> dict:
    meta = dataset.meta
    counts = _slice_counts(first, last, len(slices))
    return {
        "version": 2,
        "language": texts.language,
        "dataset": {
            "title": title or meta.title,
            "summary": meta.summary,
            "version": meta.version,
            "licence": meta.licence,
            "credits": meta.credits,
            "timezone": meta.timezone,
            "language": meta.language,
            "sources": cited,
            "figures": [
                {"label": f.label, "text": count_text(f.count, texts), "source": f.source}
                for f in meta.figures
            ],
            "corrections": [
                {
                    "date": day(c.date, texts),
                    "event": c.event,
                    "change": c.change,
                    "reason": c.reason,
                    "source": c.source,
                }
                for c in dataset.corrections
            ],
        },
        "categories": [
            {"id": c.id, "label": c.label, "colour": c.colour, "symbol": c.symbol}
            for c in meta.categories
        ],
        "precisions": precision_entries(texts, draws_city_precision(dataset.whole)),
        "time_precisions": list(TIME_PRECISIONS),
        "extent": list(meta.extent) if meta.extent else None,
        "mode": options.mode,
        "window": options.window,
        "slices": [
            {
                "label": slice_label(s, texts),
                "dates": slice_dates(s, texts),
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "caption": s.caption,
                "count": int(n),
            }
            for s, n in zip(slices, counts, strict=True)
        ],
        "places": {
            "type": "FeatureCollection",
            "features": [orjson.loads(f) for f in dataset.place_json],
        },
        "place_names": {
            row.id: names_for_reader(row.names, row.name, texts.language)
            for row in dataset.places.itertuples(index=False)
        },
        "text": ui_strings(texts, options.window),
        "licences": [OWN_LICENCE, LEAFLET_LICENCE],
    }


def _rows(events: pd.DataFrame, positions: Sequence[int]) -> pd.DataFrame:
    """The events at ``positions``. Every event in order (an export of the whole dataset)
    is the frame itself: a selection would copy every description and source first."""
    wanted = np.asarray(positions, dtype=np.int64)
    if len(wanted) == len(events) and np.array_equal(wanted, np.arange(len(events))):
        return events
    return events.iloc[wanted]


def _slice_counts(first: np.ndarray, last: np.ndarray, n: int) -> np.ndarray:
    """Events overlapping each slice, from the (first, last) ranges, via a difference array."""
    diff = np.zeros(n + 1, dtype=np.int64)
    inside = first >= 0
    np.add.at(diff, first[inside], 1)
    np.add.at(diff, last[inside] + 1, -1)
    return np.cumsum(diff)[:n]


def _source_list(values: dict[str, list]) -> list[dict[str, str]]:
    """Each cited work once, most cited first, for the credits block."""
    counter = Counter(zip(values["publication"], values["title"], values["url"], strict=True))
    ranked = heapq.nsmallest(
        200,
        counter.items(),
        key=lambda item: (-item[1], item[0][0] or "", item[0][1] or "", item[0][2] or ""),
    )
    return [{"publication": p, "title": t, "url": u} for (p, t, u), _ in ranked]


def _json_column(series: pd.Series) -> list:
    """Parse a column of JSON texts in one call (one document) rather than one per row."""
    return orjson.loads("[" + ",".join(series.tolist()) + "]") if len(series) else []


def _column(name: str, values: object) -> tuple[str, bytes]:
    """A column as JSON; numpy arrays are written as lists of their numbers."""
    return name, orjson.dumps(name) + b":" + orjson.dumps(values, option=_NUMPY)


def _minutes(column: pd.Series) -> np.ndarray:
    local = column.dt.tz_localize(None).array.asi8
    return (local - column.array.asi8) // 60_000_000_000


def _uniform_or_list(values: np.ndarray) -> int | list[int]:
    return int(values[0]) if len(values) and (values == values[0]).all() else values.tolist()


def _event_columns(
    rows: pd.DataFrame, first: np.ndarray, last: np.ndarray, texts: Texts
) -> tuple[list[tuple[str, bytes]], list[str], list[dict[str, str]]]:
    """Serialised event columns, the string table their codes point into, and the cited
    works. Big text columns go first, so their Python lists are gone before the sources are
    parsed."""
    out: list[tuple[str, bytes]] = [_column("n", len(rows))]
    for name in ("id", "title", "description"):
        out.append(_column(name, rows[name].tolist()))
    for name in ("category", "time_precision", "geo_precision"):
        out.append(_column(name, rows[name].cat.codes.tolist()))
    seconds = rows["start"].array.asi8 // 10**9
    t0 = int(seconds.min()) if len(rows) else 0
    has_end = rows["end"].notna().to_numpy()
    duration = np.where(has_end, rows["end"].array.asi8 // 10**9 - seconds, -1)
    out += [
        _column("t0", t0),
        _column("start", (seconds - t0).tolist()),
        _column("duration", duration.tolist()),
    ]
    if len(rows):
        out += [
            _column("offset", _uniform_or_list(_minutes(rows["start"]))),
            _column("end_offset", _uniform_or_list(_minutes(rows["end"].fillna(rows["start"])))),
        ]
    sensitive = np.flatnonzero(rows["sensitive"].to_numpy())
    out.append(_column("sensitive", sensitive.tolist()))
    anchors = shapely.point_on_surface(rows.geometry.array)
    out += [
        _column("x", shapely.get_x(anchors).tolist()),
        _column("y", shapely.get_y(anchors).tolist()),
    ]
    shapes = np.flatnonzero(shapely.get_type_id(rows.geometry.array) != 0)
    geometry = rows["geometry_json"].to_numpy()
    out.append(_column("shapes", {str(i): orjson.Fragment(geometry[i]) for i in shapes}))
    extra = rows["extra"].to_numpy()
    out.append(
        _column(
            "extra",
            {
                str(i): orjson.Fragment(extra[i])
                for i in np.flatnonzero(rows["extra"].notna().to_numpy())
            },
        )
    )
    out += [_column("s0", first.tolist()), _column("s1", last.tolist())]
    out.append(_column("translated", _translated(rows["translations"], texts.language)))
    actors = _json_column(rows["actors"])
    sources = _read_sources(rows["sources"])
    strings = _Dictionary()
    when = strings.add(when_labels(rows["start"], rows["end"], rows["time_precision"], texts))
    place = strings.add(rows["place"].tolist())
    place_id = strings.add([None if pd.isna(v) else v for v in rows["place_id"].tolist()])
    json_fields = {
        name: strings.add([None if pd.isna(v) else v for v in rows[name].tolist()])
        for name in JSON_FIELDS
    }
    actor_names = strings.add([a for names in actors for a in names])
    fields = [strings.add(sources.values[name]) for name in SOURCE_FIELDS]
    table, codes = strings.encode()
    out += [
        _column("when", codes[when]),
        _column("place", codes[place]),
        _column("place_id", codes[place_id]),
        *(_column(name, codes[k]) for name, k in json_fields.items()),
        _column("actors", codes[actor_names]),
        _column("actor_n", [len(names) for names in actors]),
    ]
    del actors
    out += [
        _column("sources", _source_entries(sources.others, [codes[f].tolist() for f in fields])),
        _column("source_n", sources.counts),
    ]
    return out, table, _source_list(sources.values)


@dataclass
class _Sources:
    """The events' sources as columns: each field's values over every source in order,
    the keys beyond SOURCE_FIELDS of each source (None when it has none), and how many
    sources each event has. Read a batch of events at a time, so the sources of 100,000
    events are never all alive as dictionaries."""

    values: dict[str, list]
    others: list[dict | None]
    counts: list[int]


def _read_sources(column: pd.Series, batch: int = 10_000) -> _Sources:
    known = set(SOURCE_FIELDS)
    found = _Sources({name: [] for name in SOURCE_FIELDS}, [], [])
    for start in range(0, len(column), batch):
        events = _json_column(column.iloc[start : start + batch])
        found.counts += [len(event) for event in events]
        flat = [source for event in events for source in event]
        del events
        for name in SOURCE_FIELDS:
            found.values[name] += [source.get(name) for source in flat]
        found.others += [
            None
            if known.issuperset(source)
            else {key: v for key, v in source.items() if key not in known}
            for source in flat
        ]
    return found


def _translated(column: pd.Series, language: str) -> dict[str, dict[str, str]]:
    """{index: the event's translation for this reader, with its tag as ``lang``}, for the
    events whose ``translations`` serve the reader's language."""
    out = {}
    for i in np.flatnonzero(column.notna().to_numpy()):
        found = translation_for_reader(orjson.loads(column.iloc[i]), language)
        if found:
            out[str(i)] = {"lang": found[0], **found[1]}
    return out


class _Dictionary:
    """Strings that repeat, stored once: columns are added whole and encoded together by one
    ``pandas.factorize`` call, so the codes cost C loops rather than a call per value."""

    def __init__(self) -> None:
        self._columns: list[list] = []

    def add(self, values: list) -> int:
        self._columns.append(values)
        return len(self._columns) - 1

    def encode(self) -> tuple[list[str], list[np.ndarray]]:
        """The string table, and each column's codes (-1 for None) as a numpy array: a
        million codes as Python integers would take tens of MB more."""
        lengths = [len(c) for c in self._columns]
        every = np.concatenate([np.asarray(c, dtype=object) for c in self._columns])
        self._columns.clear()
        codes, uniques = pd.factorize(every, use_na_sentinel=True)
        del every
        cuts = np.cumsum(lengths)[:-1]
        return uniques.tolist(), np.split(codes, cuts)


def _source_entries(others: list[dict | None], fields: list[list[int]]) -> list[list]:
    """Each source as its string codes, trailing -1s dropped, other keys appended."""
    entries = []
    for other, codes in zip(others, zip(*fields, strict=True), strict=True):
        entry = list(codes)
        if other is None:
            while entry and entry[-1] == -1:
                entry.pop()
        else:
            entry.append(other)
        entries.append(entry)
    return entries
