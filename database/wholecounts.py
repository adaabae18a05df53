"""The time control's figures for the whole version, counted once, when it is loaded.

The reader's page of every event carries none of them, yet its time control says how many
each slice holds: counted per request, that was two passes over the table (2.8 s of a
server's first page at a million events). ``db load`` counts them in its own transaction,
for every slicing the page offers at once, and keeps them with the version: the bounds of
all those slices cut time into pieces, and the events are counted by the first and last
piece they overlap. A slice of any of the slicings is a run of pieces, so its count is the
sum over the pairs that meet it. A filtered page is still counted by the database.
"""

from __future__ import annotations

import itertools

import pandas as pd
from sqlalchemy import Connection, select

from almaty_map.database.schema import versions
from almaty_map.database.slicecounts import Span, slice_pairs, span
from almaty_map.database.summary import summary_row
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.timeslices import SLICE_KINDS, Slice, SlicingError, make_slices


def count_whole(connection: Connection, meta: Metadata) -> dict:
    """The version's span, its events counted by the pieces every slicing is cut from, and
    its summary (``summary.summary_row``), for ``versions.whole_counts``; run it in the
    load's transaction."""
    found = span(connection, EventFilter())
    stored: dict = {"span": _span_json(found), "bounds": [], "pairs": []}
    stored["summary"] = summary_row(connection)
    if not found.count:
        return stored
    bounds: set[int] = set()
    for kind in SLICE_KINDS:
        try:
            slices = _slices(meta, found, kind)
        except SlicingError:  # too many slices: a page asks the database, as for a filter
            continue
        bounds |= {edge for s in slices for edge in (s.start.value, s.end.value)}
    ordered = sorted(bounds)
    pieces = [Slice("piece", _at(a), _at(b)) for a, b in itertools.pairwise(ordered)]
    stored["bounds"] = ordered
    stored["pairs"] = slice_pairs(connection, pieces, EventFilter()) if pieces else []
    return stored


def stored_whole(connection: Connection, fingerprint: str) -> dict | None:
    """What the load of this version counted; None for a version loaded without it."""
    query = select(versions.c.whole_counts).where(versions.c.fingerprint == fingerprint)
    return connection.execute(query.order_by(versions.c.number.desc()).limit(1)).scalar()


def stored_span(stored: dict) -> Span:
    if stored["span"] is None:
        return Span(0, None, None)
    count, first, last, box = stored["span"]
    return Span(count, _at(first), _at(last), tuple(box))


def stored_counts(stored: dict, slices: list[Slice]) -> list[int] | None:
    """Each slice's count from the stored pairs; None if a slice does not start and end
    on the stored bounds (slices the load did not make)."""
    where = {bound: i for i, bound in enumerate(stored["bounds"])}
    counts = []
    for piece in slices:
        first, after = where.get(piece.start.value), where.get(piece.end.value)
        if first is None or after is None:
            return None
        counts.append(sum(n for a, b, n in stored["pairs"] if a < after and b >= first))
    return counts


def _slices(meta: Metadata, found: Span, kind: str) -> list[Slice]:
    """The slices the reader's page makes for the whole version (``web.tiledpage``)."""
    starts = pd.Series([found.first.value]).to_numpy()
    ends = pd.Series([found.last.value]).to_numpy()
    return make_slices(meta, starts, ends, kind)


def _span_json(found: Span) -> list | None:
    if not found.count:
        return None
    return [found.count, found.first.value, found.last.value, list(found.box)]


def _at(nanoseconds: int) -> pd.Timestamp:
    return pd.Timestamp(nanoseconds, tz="UTC")
