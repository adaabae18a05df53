"""Selecting events by time, category, area, text and a CQL2 filter.

An EventFilter is what geodata.query reads from a person's query (CLI options, the reader's
form, API parameters). ``select`` uses the sorted start times (binary search) and the
box index (``bbox.BoxIndex``), so a query costs far less than a scan of every event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from almaty_map.geodata.bbox import BBox

INT64_MIN = int(np.iinfo(np.int64).min)
TEXT_COLUMNS = ("title", "description", "place")
# Candidates whose text is searched first when a page is wanted (then twice as many).
TEXT_BLOCK = 4096

if TYPE_CHECKING:
    from almaty_map.geodata.cql2 import CqlFilter
    from almaty_map.geodata.dataset import Dataset


@dataclass(frozen=True)
class EventFilter:
    """What to keep. Times are a half-open interval [start, end); None means open."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    categories: tuple[str, ...] | None = None
    bbox: BBox | None = None
    text: str | None = None
    cql: CqlFilter | None = None


def select(dataset: Dataset, flt: EventFilter) -> np.ndarray:
    """Positions (in chronological order) of the events that pass the filter."""
    found = _cheap_select(dataset, flt)
    if flt.text is not None:
        found = found[_text_mask(dataset, flt.text, found)]
    return found


@dataclass(frozen=True)
class Selection:
    """A page of the events that pass a filter, and how many pass (None when counting them
    would have cost more than finding the page)."""

    positions: np.ndarray
    matched: int | None


def select_page(dataset: Dataset, flt: EventFilter, offset: int, limit: int) -> Selection:
    """The events from ``offset`` to ``offset + limit`` of ``select``, without searching
    every event's text when the page is found earlier.

    Time, category and box cost a pass over small arrays, so their count is always exact.
    A text search costs a pass over every description, so it goes through the candidates a
    block at a time (doubling) and stops once one more than the page is found: the count
    is then unknown, and the next page certainly exists.
    """
    found = _cheap_select(dataset, flt)
    if flt.text is None:
        return Selection(found[offset : offset + limit], len(found))
    wanted, start, block, kept = offset + limit + 1, 0, TEXT_BLOCK, []
    total = 0
    while start < len(found) and total < wanted:
        part = found[start : start + block]
        kept.append(part[_text_mask(dataset, flt.text, part)])
        total += len(kept[-1])
        start, block = start + block, block * 2
    hits = np.concatenate(kept) if kept else found[:0]
    matched = len(hits) if start >= len(found) else None
    return Selection(hits[offset : offset + limit], matched)


def _cheap_select(dataset: Dataset, flt: EventFilter) -> np.ndarray:
    """Positions passing every part of the filter but the text."""
    keep = np.ones(len(dataset.events), dtype=bool)
    if flt.start is not None or flt.end is not None:
        keep &= _time_mask(dataset, flt.start, flt.end)
    if flt.categories is not None:
        wanted = np.zeros(len(dataset.meta.category_ids) + 1, dtype=bool)  # [-1]: none
        wanted[[dataset.meta.category_ids.index(c) for c in flt.categories]] = True
        keep &= wanted[dataset.category_codes]
    if flt.bbox is not None:
        keep &= dataset.event_boxes.within(flt.bbox)
    if flt.cql is not None:
        # Imported here: the CQL2 parsers (a Lark grammar, dateparser) take about a second
        # to load, which every export and map without a filter would otherwise pay.
        from almaty_map.geodata.cql2 import matches

        keep &= matches(dataset, flt.cql)
    return np.flatnonzero(keep)


def _time_mask(dataset: Dataset, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> np.ndarray:
    """Events overlapping [lo, hi): start < hi (binary search on sorted starts), end > lo."""
    starts, ends = dataset.start_ns, dataset.end_ns
    mask = np.zeros(len(starts), dtype=bool)
    stop = len(starts) if hi is None else int(np.searchsorted(starts, hi.value, side="left"))
    if lo is None:
        mask[:stop] = True
        return mask
    earliest_start = max(lo.value - dataset.longest_ns, INT64_MIN)  # never below int64
    begin = int(np.searchsorted(starts, earliest_start, side="left"))
    mask[begin:stop] = ends[begin:stop] > lo.value
    return mask


def _text_mask(dataset: Dataset, text: str, positions: np.ndarray) -> np.ndarray:
    """Which events at ``positions`` have ``text`` in their title, description, place or
    one of their actors, in any case (Unicode case folding, as Arrow's RE2 does it).
    Searched where the columns are kept, in Arrow, so a query keeps nothing."""
    events = dataset.events
    every = len(positions) == len(events)  # then no copy of the columns is taken
    rows = pa.array(positions, pa.int64())

    def taken(values: pa.Array) -> pa.Array:
        return values if every else values.take(rows)

    mask = np.zeros(len(positions), dtype=bool)
    for name in TEXT_COLUMNS:
        mask |= _holds(taken(pa.array(events[name].array)), text)
    names = taken(dataset.actor_names)
    owners = pc.list_parent_indices(names).filter(pa.array(_holds(names.flatten(), text)))
    mask[owners.to_numpy()] = True
    return mask


def _holds(values: pa.Array, text: str) -> np.ndarray:
    if not text.isascii() and not _is_unicode(text):
        return np.zeros(len(values), dtype=bool)  # loaded text holds no half characters
    found = pc.match_substring(values, text, ignore_case=True)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _is_unicode(text: str) -> bool:
    """Whether the text is whole characters (a command line's argument may hold bytes that
    are not UTF-8, read as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
