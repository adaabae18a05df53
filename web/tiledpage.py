"""The reader's map for a selection too large to carry in the page: drawn from vector tiles.

A page cannot hold a million events, so in database mode, past the embed limit, the map's
parts carry none: the canvas layer draws the events of the tiles in view
(/ogc/collections/events/tiles, built by PostGIS), a time slice is the tiles' datetime, a
click asks for the event's card (web/tiledcard.py), and the time control's counts come
from one GROUP BY.
Tiles filter by time and category only, so a selection with a box, a text or a CQL2 filter
is not tiled (``tileable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson
import pandas as pd
from flask import render_template, request

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.timeslices import Slice, make_slices
from almaty_map.language.dates import slice_dates, slice_label
from almaty_map.language.texts import Texts, texts_for
from almaty_map.maprender.assets import linked_tags
from almaty_map.maprender.document import MapParts, script_hashes
from almaty_map.maprender.payload import html_safe, precision_entries
from almaty_map.ogcapi.tiling import SCHEME
from almaty_map.web.maps import asset_base
from almaty_map.web.viewstate import ViewState

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from almaty_map.database.slicecounts import Span

DATA_ID = "am-tiled-data"
START = f'AlmatyMapLib.startTiled("{DATA_ID}");'
ONE_US = pd.Timedelta(1, "us")
# The city is one place a tiled map shows: an event known only to the city is listed in
# the API, not drawn (as on the map of one city, maprender.certainty).
CITY_DRAWN = False


def tileable(flt: EventFilter) -> bool:
    """Tiles filter by time and category; a box, a text or a CQL2 filter they cannot keep."""
    return flt.bbox is None and flt.text is None and flt.cql is None


@dataclass(frozen=True)
class TiledMap:
    parts: MapParts
    scripts: list[str]  # the CSP hashes of its inline script


def tiled_map(engine: Engine, dataset: Dataset, state: ViewState) -> TiledMap:
    """The map's parts for the reader's page; raises SlicingError as a render would."""
    from sqlalchemy import exc  # files need no SQL

    from almaty_map.database.connect import DatabaseUnavailableError

    texts = texts_for(state.lang)
    try:
        with engine.connect() as connection:
            found, slices, counts = _counted(connection, dataset, state)
    except exc.OperationalError:
        raise DatabaseUnavailableError(
            "The database stopped answering while the map's time slices were counted"
        ) from None
    data = _data(dataset, state, texts, found, slices, counts)
    body = render_template(
        "tiled_map.html",
        data=html_safe(orjson.dumps(data)).decode(),
        data_id=DATA_ID,
        options=data["slices"],
        total=found.count,
    )
    static = request.script_root + "/static"
    head = "\n".join(
        [
            linked_tags(asset_base()),
            f'<link rel="stylesheet" href="{static}/tiled-map.css">',
            f'<script src="{static}/vendor/pbf.js"></script>',
            f'<script src="{static}/vendor/vector-tile.js"></script>',
            f'<script src="{static}/tiled-map.js"></script>',
        ]
    )
    parts = MapParts(head=head, body=body, script=START)
    return TiledMap(parts, script_hashes(f"<script>{START}</script>"))


def _counted(connection, dataset: Dataset, state: ViewState) -> tuple[Span, list[Slice], list[int]]:
    """The selection's span, slices and counts: for every event, as its load counted them
    (no pass over the table), else from the database."""
    from almaty_map.database.slicecounts import slice_counts, span
    from almaty_map.database.wholecounts import stored_counts, stored_span, stored_whole

    whole = state.filter == EventFilter()
    stored = stored_whole(connection, dataset.fingerprint) if whole else None
    if stored is not None:
        found = stored_span(stored)
        slices = _slices(dataset, state, found)
        counts = stored_counts(stored, slices)
        if counts is not None:
            return found, slices, counts
    found = span(connection, state.filter)
    slices = _slices(dataset, state, found)
    return found, slices, slice_counts(connection, slices, state.filter)


def _slices(dataset: Dataset, state: ViewState, found: Span) -> list[Slice]:
    """The same slicing the embedded map makes, from the selection's span alone."""
    if found.first is None:
        return []
    starts = pd.Series([found.first.value]).to_numpy()
    ends = pd.Series([found.last.value]).to_numpy()
    within = (state.filter.start, state.filter.end)
    return make_slices(dataset.meta, starts, ends, state.slice_by, within)


def _data(
    dataset: Dataset,
    state: ViewState,
    texts: Texts,
    found: Span,
    slices: list[Slice],
    counts: list[int],
) -> dict:
    """What the page's script needs: where the tiles and items are, the slices with their
    tiles' datetime and counts, and how to draw each category and precision."""
    meta = dataset.meta
    root = request.script_root
    everything = _datetime(state.filter.start, state.filter.end)
    return {
        "tiles": f"{root}/ogc/collections/events/tiles/{SCHEME}/{{z}}/{{y}}/{{x}}",
        "items": f"{root}/ogc/collections/events/items/",
        "card": f"{root}/tiled/card/",
        "lang": state.lang,
        "query": [["category", c] for c in state.filter.categories or ()],
        "slices": [
            {"label": texts.gettext("All times"), "datetime": everything, "count": found.count},
            *(
                {
                    "label": _label(s, texts),
                    "datetime": _datetime(*_within(s, state.filter)),
                    "count": n,
                }
                for s, n in zip(slices, counts, strict=True)
            ),
        ],
        "categories": [
            {"id": c.id, "label": c.label, "colour": c.colour, "symbol": c.symbol}
            for c in meta.categories
        ],
        "precisions": precision_entries(texts, CITY_DRAWN),
        "extent": list(found.box or meta.extent or ()) or None,
        "text": {
            "details": texts.gettext("Details"),
            "more": texts.gettext("More events here: {n}"),
            "failed": texts.gettext("The event could not be loaded."),
        },
    }


def _label(piece: Slice, texts: Texts) -> str:
    """A calendar slice is named by its dates; a named period is given them too."""
    name = slice_label(piece, texts)
    return f"{name} ({slice_dates(piece, texts)})" if piece.label else name


def _within(piece: Slice, flt: EventFilter) -> tuple[pd.Timestamp, pd.Timestamp]:
    lo = piece.start if flt.start is None else max(piece.start, flt.start)
    hi = piece.end if flt.end is None else min(piece.end, flt.end)
    return lo, hi


def _datetime(lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> str:
    """[lo, hi) as the API's datetime, whose end is inclusive: the microsecond before hi
    (PostgreSQL's resolution), in UTC."""
    first = ".." if lo is None else _utc(lo.ceil("us"))
    last = ".." if hi is None else _utc(hi.ceil("us") - ONE_US)
    return f"{first}/{last}"


def _utc(moment: pd.Timestamp) -> str:
    text = moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S")
    micro = moment.microsecond
    return f"{text}.{micro:06d}Z" if micro else f"{text}Z"
