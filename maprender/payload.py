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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

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
from almaty_map.maprender.citations import cited_works, json_column, read_sources, source_entries
from almaty_map.maprender.options import MapOptions
from almaty_map.maprender.strings import StringTable

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
    """The first of a page's two data blocks, UTF-8 JSON safe inside <script type=...>.

    ``drawing`` holds the metadata and what the canvas needs to draw every event (position,
    category, precision, time slices); the details block holds everything else. The page
    draws as soon as the small first block is read, and reads the second after that, so
    100,000 events are on screen well before their descriptions and sources are parsed.
    """

    drawing: bytes


_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_Add = Callable[[str, object], None]
DRAWING_COLUMNS = ("n", "category", "geo_precision", "x", "y", "shapes", "s0", "s1")


def _discard(piece: bytes) -> None:
    """For a page that draws without the details block (the snapshot)."""


def payload_bytes(
    dataset: Dataset,
    positions: Sequence[int],
    slices: list[Slice],
    texts: Texts,
    options: MapOptions = MapOptions(),
    title: str | None = None,
    details: Callable[[bytes], None] = _discard,
) -> Payload:
    """The page's drawing block; ``details`` is given the details block a piece at a time,
    in order, each piece as soon as it is made. At 100,000 events that block is some 80 MB
    of JSON: the export deflates each piece while the next is made, and no piece is kept
    once it is packed."""
    rows = _rows(dataset.events, positions)
    start_ns = rows["start"].array.asi8 if len(rows) else np.array([], dtype=np.int64)
    end_ns = exclusive_ends(start_ns, rows["end"])
    first, last = membership(slices, start_ns, end_ns)
    drawing: list[bytes] = []
    columns = _Columns(drawing.append, details)
    details(b'{"events":{')
    with collector_paused():  # sources and actors parsed: many objects, no cycles
        strings, cited = _event_columns(rows, first, last, texts, columns.add)
    details(b'},"strings":')
    details(html_safe(orjson.dumps(strings)))
    del strings
    details(b"}")
    head = _document_head(dataset, cited, slices, first, last, texts, options, title)
    first_block = b"".join([orjson.dumps(head)[:-1], b',"events":{', b",".join(drawing), b"}}"])
    return Payload(html_safe(first_block))


class _Columns:
    """Sends each serialised column to its block: the drawing columns are kept for the
    first block, the others go to ``details`` straight away, comma-separated."""

    def __init__(self, drawing: Callable[[bytes], None], details: Callable[[bytes], None]):
        self._drawing = drawing
        self._details = details
        self._first = True

    def add(self, name: str, values: object) -> None:
        piece = _column(name, values)
        if name in DRAWING_COLUMNS:
            self._drawing(piece)
            return
        if not self._first:
            self._details(b",")
        self._first = False
        self._details(html_safe(piece))


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


def _column(name: str, values: object) -> bytes:
    """A column as JSON; numpy arrays are written as lists of their numbers."""
    return orjson.dumps(name) + b":" + orjson.dumps(values, option=_NUMPY)


def _minutes(column: pd.Series) -> np.ndarray:
    local = column.dt.tz_localize(None).array.asi8
    return (local - column.array.asi8) // 60_000_000_000


def _uniform_or_list(values: np.ndarray) -> int | list[int]:
    return int(values[0]) if len(values) and (values == values[0]).all() else values.tolist()


def _event_columns(
    rows: pd.DataFrame, first: np.ndarray, last: np.ndarray, texts: Texts, add: _Add
) -> tuple[list, list[dict[str, str]]]:
    """Give ``add`` every event column; return the string table the codes point into and
    the cited works. Big text columns go first, so their Python lists are gone before the
    sources are parsed."""
    add("n", len(rows))
    for name in ("id", "title", "description"):
        add(name, rows[name].tolist())
    for name in ("category", "time_precision", "geo_precision"):
        add(name, rows[name].cat.codes.tolist())
    _time_columns(rows, add)
    add("sensitive", np.flatnonzero(rows["sensitive"].to_numpy()).tolist())
    _shape_columns(rows, add)
    add("s0", first.tolist())
    add("s1", last.tolist())
    add("translated", _translated(rows["translations"], texts.language))
    return _coded_columns(rows, texts, add)


def _time_columns(rows: pd.DataFrame, add: _Add) -> None:
    seconds = rows["start"].array.asi8 // 10**9
    t0 = int(seconds.min()) if len(rows) else 0
    has_end = rows["end"].notna().to_numpy()
    duration = np.where(has_end, rows["end"].array.asi8 // 10**9 - seconds, -1)
    add("t0", t0)
    add("start", (seconds - t0).tolist())
    add("duration", duration.tolist())
    if len(rows):
        add("offset", _uniform_or_list(_minutes(rows["start"])))
        add("end_offset", _uniform_or_list(_minutes(rows["end"].fillna(rows["start"]))))


def _shape_columns(rows: pd.DataFrame, add: _Add) -> None:
    anchors = shapely.point_on_surface(rows.geometry.array)
    add("x", shapely.get_x(anchors).tolist())
    add("y", shapely.get_y(anchors).tolist())
    shapes = np.flatnonzero(shapely.get_type_id(rows.geometry.array) != 0)
    geometry = rows["geometry_json"].to_numpy()
    add("shapes", {str(i): orjson.Fragment(geometry[i]) for i in shapes})
    extra = rows["extra"].to_numpy()
    has_extra = np.flatnonzero(rows["extra"].notna().to_numpy())
    add("extra", {str(i): orjson.Fragment(extra[i]) for i in has_extra})


def _coded_columns(
    rows: pd.DataFrame, texts: Texts, add: _Add
) -> tuple[list, list[dict[str, str]]]:
    """The columns that hold codes into the string table; the table and the cited works."""
    actors = json_column(rows["actors"])
    sources = read_sources(rows["sources"])
    strings = StringTable()
    when = strings.add(when_labels(rows["start"], rows["end"], rows["time_precision"], texts))
    place = strings.add(rows["place"])
    place_id = strings.add(rows["place_id"])
    json_fields = {name: strings.add(rows[name]) for name in JSON_FIELDS}
    actor_names = strings.add(list(chain.from_iterable(actors)))
    fields = [strings.add(sources.values.pop(name)) for name in SOURCE_FIELDS]
    table, codes = strings.encode()
    add("when", codes[when])
    add("place", codes[place])
    add("place_id", codes[place_id])
    for name, k in json_fields.items():
        add(name, codes[k])
    add("actors", codes[actor_names])
    add("actor_n", list(map(len, actors)))
    del actors
    by_name = dict(zip(SOURCE_FIELDS, (codes[f] for f in fields), strict=True))
    add("sources", source_entries(sources.others, list(by_name.values())))
    add("source_n", sources.counts)
    return table, cited_works(table, by_name["publication"], by_name["title"], by_name["url"])


def _translated(column: pd.Series, language: str) -> dict[str, dict[str, str]]:
    """{index: the event's translation for this reader, with its tag as ``lang``}, for the
    events whose ``translations`` serve the reader's language."""
    out = {}
    for i in np.flatnonzero(column.notna().to_numpy()):
        found = translation_for_reader(orjson.loads(column.iloc[i]), language)
        if found:
            out[str(i)] = {"lang": found[0], **found[1]}
    return out
