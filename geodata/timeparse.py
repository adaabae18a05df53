"""Reading instants and dates written by people: dataset files, CLI options, URL parameters.

Every interval in this project is half-open, [start, end) (see ``intervals``). A bare date
names a whole day in the dataset's timezone, so "--end 2022-01-07" includes all of 7 January;
a date-time names an instant and, used as an end bound, includes that instant.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from almaty_map.geodata.intervals import ONE_NS

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # fullmatch only
_OFFSET = re.compile(r"(?:[Zz]|[+-]\d{2}:?\d{2})\Z")
# Times are kept in nanoseconds (1677-09-21 to 2262-04-11). Event and period times must lie
# in [EARLIEST, LATEST): whole years, with room to spare for any timezone and for the
# calendar slices around them. Query bounds outside it cut nothing off.
EARLIEST = pd.Timestamp("1678-01-01", tz="UTC")
LATEST = pd.Timestamp("2262-01-01", tz="UTC")
IN_RANGE = "a time in the years 1678 to 2261 (times are kept in nanoseconds)"

DATETIME_EXPECTED = "an ISO 8601 date-time with a UTC offset (e.g. 2022-01-06T18:00:00+06:00)"
BOUND_EXPECTED = (
    "a date (2022-01-06) or an ISO 8601 date-time with a UTC offset (2022-01-06T18:00:00+06:00)"
)


class TimeValueError(ValueError):
    """A time value could not be read; the message says what was expected."""


def parse_instant(text: str) -> pd.Timestamp:
    """Read an ISO 8601 date-time that carries its UTC offset.

    An offset is required because a bare local time is ambiguous across timezones, and
    Almaty itself changed its offset in 2024.
    """
    text = text.strip()
    if not _OFFSET.search(text) or _DATE.fullmatch(text):
        raise TimeValueError(f"expected {DATETIME_EXPECTED}, got {text!r}")
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise TimeValueError(f"expected {DATETIME_EXPECTED}, got {text!r}") from exc
    if stamp.tzinfo is None or pd.isna(stamp):
        raise TimeValueError(f"expected {DATETIME_EXPECTED}, got {text!r}")
    return stamp


def in_range(stamp: pd.Timestamp) -> bool:
    """Whether an event or period time lies in the years times are kept for."""
    return EARLIEST <= stamp < LATEST


def local_midnight(day: dt.date, tz: ZoneInfo) -> pd.Timestamp:
    """The first instant of a calendar day in a timezone."""
    return pd.Timestamp(dt.datetime(day.year, day.month, day.day), tz=tz)


def parse_bound(text: str, tz: ZoneInfo, side: Literal["start", "end"]) -> pd.Timestamp:
    """Read a user's interval bound as the half-open bound it stands for.

    ``side="end"`` turns an inclusive end (a whole day, or an instant) into the exclusive
    bound used internally.
    """
    text = text.strip()
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise TimeValueError(f"expected {BOUND_EXPECTED}, got {text!r}") from exc
        if not EARLIEST.year <= day.year < LATEST.year:
            return _beyond(day.year, tz)
        if side == "end":
            day = day + dt.timedelta(days=1)
        return local_midnight(day, tz)
    try:
        stamp = parse_instant(text)
    except TimeValueError as exc:
        raise TimeValueError(f"expected {BOUND_EXPECTED}, got {text!r}") from exc
    if not EARLIEST <= stamp < LATEST:
        return _beyond(stamp.year, tz)
    stamp = stamp.tz_convert(tz)
    return stamp + ONE_NS if side == "end" else stamp


def _beyond(year: int, tz: ZoneInfo) -> pd.Timestamp:
    """A bound outside the range times are kept in: it cuts nothing off, like an open end
    (a query for 0001-01-01/.. is a query for everything)."""
    return (EARLIEST if year < EARLIEST.year else LATEST).tz_convert(tz)


def iso_times(series: pd.Series) -> list[str | None]:
    """ISO 8601 text in the series' timezone, e.g. 2022-01-06T18:00:00+06:00 (vectorised:
    strftime is far too slow for 100,000 values)."""
    if not len(series):
        return []
    utc = series.array.asi8
    local = series.dt.tz_localize(None).array.asi8
    missing = series.isna().to_numpy()
    text = np.datetime_as_string(
        np.where(missing, 0, local).astype("datetime64[ns]"), unit="s"
    ).astype(object)
    minutes = np.where(missing, 0, (local - utc) // 60_000_000_000)
    suffix = {
        m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
        for m in set(minutes.tolist())
    }
    return [
        None if gone else t + suffix[m]
        for t, m, gone in zip(text.tolist(), minutes.tolist(), missing.tolist(), strict=True)
    ]
