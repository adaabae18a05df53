"""The one rule for event times: every interval is half-open, [start, end).

An event without an end, or ending at its start, is the instant [start, start + 1 ns): it
still overlaps the slice and the query window it lies in, and binary searches over ends need
no special case for it. Everything that compares event times (slices, filters, the map's
data) takes its ends from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ONE_NS = pd.Timedelta(1, "ns")


def exclusive_ends(start_ns: np.ndarray, ends: pd.Series) -> np.ndarray:
    """Exclusive ends in int64 nanoseconds for events starting at ``start_ns``."""
    end_ns = np.where(ends.isna().to_numpy(), start_ns, ends.array.asi8)
    return np.maximum(end_ns, start_ns + 1)


def last_instant(end: pd.Timestamp) -> pd.Timestamp:
    """The last instant inside an interval ending (exclusively) at ``end``: what a reader
    calls its last moment, so a slice ending at midnight ends the day before."""
    return end - ONE_NS
