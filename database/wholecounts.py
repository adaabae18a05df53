"""The time control's figures for the whole version, counted once, when it is loaded.

The reader's page of every event carries none of them, yet its time control says how many
each slice holds: counted per request, that was two passes over the table (2.8 s of a
server's first page at a million events). ``db load`` counts them in its own transaction,
for every slicing the page offers at once, and keeps them with the version: the bounds of
all those slices cut time into pieces, and the events are counted by the first and last
piece they overlap. A slice of any of the slicings is a run of pieces, so its count is the
sum over the pairs that meet it. A filtered page is still counted by the database.

A publication at the editors' desk changes one event: its version's figures are the
previous version's less what the event added to them and plus what it adds now
(``moved_whole``), read from that one row and the time indexes, not from every event.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, select

from almaty_map.database.schema import events, versions
from almaty_map.database.slicecounts import ONE_NS, Span, slice_pairs, span
from almaty_map.database.summary import summary_row
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.timeslices import SLICE_KINDS, Slice, SlicingError, make_slices


def count_whole(connection: Connection, meta: Metadata) -> dict:
    """The version's span, its events counted by the pieces every slicing is cut from, and
    its summary (``summary.summary_row``), for ``versions.whole_counts``; run it in the
    load's transaction."""
    found = span(connection, EventFilter())
    bounds = _bounds(meta, found)
    return {
        "span": _span_json(found),
        "bounds": bounds,
        "pairs": _all_pairs(connection, bounds),
        "summary": summary_row(connection),
    }


@dataclass(frozen=True)
class Share:
    """What one event adds to the whole counts, counted as the whole is (the same
    aggregates over its one row, so the same rounded boxes): its span, its summary, and
    the pair of pieces it overlaps under the stored bounds (None: it overlaps none)."""

    span: Span
    summary: list
    pair: tuple[int, int] | None


def event_share(connection: Connection, event_id: str, stored: dict | None) -> Share | None:
    """``event_id``'s share of ``stored`` (a version's whole counts); None if there is
    no such event. Read from its row alone (the id's index)."""
    only = events.c.id == event_id
    own = span(connection, EventFilter(), only)
    if not own.count:
        return None
    pieces = _pieces(stored["bounds"]) if stored else []
    pairs = slice_pairs(connection, pieces, EventFilter(), only) if pieces else []
    pair = (pairs[0][0], pairs[0][1]) if pairs else None
    return Share(own, summary_row(connection, only), pair)


def moved_whole(
    connection: Connection, meta: Metadata, stored: dict | None, left: Share | None, entered: Share
) -> dict:
    """The whole counts after one event changed: ``stored`` without ``left`` (its share
    before; None for a new event) and with ``entered`` (its share now, under the same
    bounds). Equal to ``count_whole``: the ends of time come from the time indexes; a box
    the event left from its edge, and the pairs when the bounds move (the span's ends
    changed), are counted from every event again, as a load does."""
    if not stored or stored["span"] is None or "summary" not in stored:
        return count_whole(connection, meta)
    before = stored_span(stored)
    count = before.count - (left is not None) + 1
    first, last, summary_last = _ends(connection)
    box = _moved_box(before.box, left and left.span.box, entered.span.box)
    found = Span(count, first, last, box) if box else span(connection, EventFilter())
    bounds = _bounds(meta, found)
    if bounds == stored["bounds"]:
        pairs = _moved_pairs(stored["pairs"], left and left.pair, entered.pair)
    else:
        pairs = _all_pairs(connection, bounds)
    shown = _moved_box(stored["summary"][0], left and left.summary[0], entered.summary[0])
    summary = [list(shown), first.value, summary_last] if shown else summary_row(connection)
    return {"span": _span_json(found), "bounds": bounds, "pairs": pairs, "summary": summary}


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


def _bounds(meta: Metadata, found: Span) -> list[int]:
    """Every edge of every slicing's slices of the span, in order."""
    if not found.count:
        return []
    bounds: set[int] = set()
    for kind in SLICE_KINDS:
        try:
            slices = _slices(meta, found, kind)
        except SlicingError:  # too many slices: a page asks the database, as for a filter
            continue
        bounds |= {edge for s in slices for edge in (s.start.value, s.end.value)}
    return sorted(bounds)


def _pieces(bounds: list[int]) -> list[Slice]:
    return [Slice("piece", _at(a), _at(b)) for a, b in itertools.pairwise(bounds)]


def _all_pairs(connection: Connection, bounds: list[int]) -> list[tuple[int, int, int]]:
    """Every event counted by the pieces it overlaps: a pass over the table."""
    pieces = _pieces(bounds)
    return sorted(slice_pairs(connection, pieces, EventFilter())) if pieces else []


def _moved_pairs(
    pairs: list, left: tuple[int, int] | None, entered: tuple[int, int] | None
) -> list[tuple[int, int, int]]:
    counted = Counter({(a, b): n for a, b, n in pairs})
    if left is not None:
        counted[left] -= 1
    if entered is not None:
        counted[entered] += 1
    return sorted((a, b, n) for (a, b), n in counted.items() if n)


def _moved_box(box, left, entered) -> tuple | None:
    """The box round every event once one left it and one entered; None when the one
    that left was on its edge (the box may shrink: only every event says how far)."""
    if box is None:
        return None
    if left is not None and (
        left[0] <= box[0] or left[1] <= box[1] or left[2] >= box[2] or left[3] >= box[3]
    ):
        return None
    return (
        min(box[0], entered[0]),
        min(box[1], entered[1]),
        max(box[2], entered[2]),
        max(box[3], entered[3]),
    )


def _ends(connection: Connection) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    """The first start, the span's exclusive end (``slicecounts.span``) and the summary's
    last instant (``summary.summary_row``), each from an index's end: an event without an
    end reaches its start, so the latest reach is the latest end or the latest start of
    those without one."""
    first, latest_start, latest_end, latest_open = connection.execute(
        select(
            select(func.min(events.c.start)).scalar_subquery(),
            select(func.max(events.c.start)).scalar_subquery(),
            select(func.max(events.c.end)).scalar_subquery(),
            select(func.max(events.c.start)).where(events.c.end.is_(None)).scalar_subquery(),
        )
    ).one()
    reach = max(t for t in (latest_end, latest_open) if t is not None)
    last = max(pd.Timestamp(reach), pd.Timestamp(latest_start) + ONE_NS)
    summary_last = latest_start if latest_end is None else max(latest_start, latest_end)
    return pd.Timestamp(first), last, pd.Timestamp(summary_last).value


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
