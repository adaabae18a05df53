"""Cutting time into slices for the map's time control.

Slices are half-open, [start, end), ordered and never overlapping: the dataset's named periods
(validated that way), or calendar days, ISO weeks (Monday first) or months in the dataset's
timezone. An event is an interval [start, end) too (an instant when it has no end), and it
belongs to every slice it overlaps, so an event spanning midnight is in both days.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import SLICE_KINDS

SliceBy = Literal["period", "day", "week", "month"]
MAX_SLICES = 2000
_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}
DAY_NS = 86_400 * 10**9


class SlicingError(ValueError):
    """The requested slicing cannot be made (for example, far too many slices)."""


@dataclass(frozen=True)
class Slice:
    """One step of the time control. ``label`` is None for calendar slices, which the map
    labels in the reader's language."""

    kind: str
    start: pd.Timestamp
    end: pd.Timestamp
    label: str | None = None
    caption: str = ""


def make_slices(
    meta: Metadata,
    start_ns: np.ndarray,
    end_ns: np.ndarray,
    by: SliceBy,
    within: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None),
) -> list[Slice]:
    """Slices for events with these (exclusive-end) times, limited to ``within`` if given.

    A dataset without named periods is sliced by month when periods are asked for: periods
    are optional in dataset.toml, and a map of no slices would show none of its events."""
    if by not in SLICE_KINDS:
        raise SlicingError(f"expected one of {', '.join(SLICE_KINDS)}, got {by!r}")
    lo, hi = within
    if by == "period" and not meta.periods:
        by = "month"
    if by == "period":
        return [
            Slice("period", p.start, p.end, p.label, p.caption)
            for p in meta.periods
            if (hi is None or p.start < hi) and (lo is None or p.end > lo)
        ]
    if not len(start_ns):
        return []
    first = pd.Timestamp(int(start_ns.min()), tz="UTC").tz_convert(meta.tz)
    last = pd.Timestamp(int(end_ns.max()), tz="UTC").tz_convert(meta.tz)
    if lo is not None:
        first = max(first, lo.tz_convert(meta.tz))
    if hi is not None:
        last = min(last, hi.tz_convert(meta.tz))
    return _calendar(by, first, last, meta)


def _calendar(by: str, first: pd.Timestamp, last: pd.Timestamp, meta: Metadata) -> list[Slice]:
    """Calendar slices from the one holding ``first`` to the one holding the instant before
    ``last``, cut at local midnights (so a day is 23 or 25 hours across a DST change)."""
    if first >= last:
        return []
    naive_first = first.tz_localize(None).normalize()
    if by == "week":
        naive_first -= pd.Timedelta(days=naive_first.weekday())
    elif by == "month":
        naive_first = naive_first.replace(day=1)
    naive_last = last.tz_localize(None)
    # In whole days from the integers: a Timedelta cannot hold more than 292 years.
    days = (naive_last.value - naive_first.value) // DAY_NS
    estimate = days / {"day": 1, "week": 7, "month": 28}[by]
    if estimate > MAX_SLICES:
        raise SlicingError(
            f"slicing by {by} would make about {int(estimate):,} slices "
            f"(at most {MAX_SLICES:,}); choose a longer slice or filter by date"
        )
    offset = pd.tseries.frequencies.to_offset(_FREQ[by])
    edges = pd.date_range(naive_first, naive_last + offset, freq=offset)
    edges = edges[: int(np.searchsorted(edges, naive_last, side="left")) + 1]
    local = edges.tz_localize(meta.tz, ambiguous="NaT", nonexistent="shift_forward")
    return [Slice(by, a, b) for a, b in pairwise(local) if not (pd.isna(a) or pd.isna(b))]


def membership(
    slices: list[Slice], start_ns: np.ndarray, end_ns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each event, the first and last slice it overlaps (both -1 when none).

    Slices are ordered and disjoint, so the slices an event overlaps are contiguous.
    """
    if not slices:
        none = np.full(len(start_ns), -1, dtype=np.int32)
        return none, none.copy()
    starts = np.array([s.start.value for s in slices], dtype=np.int64)
    ends = np.array([s.end.value for s in slices], dtype=np.int64)
    first = np.searchsorted(ends, start_ns, side="right").astype(np.int32)
    last = (np.searchsorted(starts, end_ns, side="left") - 1).astype(np.int32)
    outside = (first > last) | (first >= len(slices)) | (last < 0)
    first[outside] = -1
    last[outside] = -1
    return first, last
