"""Dates and counts worded for readers, at the precision the source allows.

A time recorded to the day is shown as a day, never as midnight; "just after dusk" is an
hour-precision time shown as "evening". The same words are used in popups, the list and the
export, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd
from babel.dates import format_date, format_interval, format_skeleton

from almaty_map.geodata.intervals import last_instant
from almaty_map.geodata.timeslices import Slice
from almaty_map.language.texts import Texts

_PARTS_OF_DAY = (
    (5, "early hours"),
    (12, "morning"),
    (17, "afternoon"),
    (22, "evening"),
    (24, "night"),
)


def part_of_day(hour: int, texts: Texts) -> str:
    _ = texts.gettext
    labels = {
        "early hours": _("early hours"),
        "morning": _("morning"),
        "afternoon": _("afternoon"),
        "evening": _("evening"),
        "night": _("night"),
    }
    return labels[next(name for limit, name in _PARTS_OF_DAY if hour < limit)]


def day(value: dt.date, texts: Texts) -> str:
    return _day(value, texts.babel_locale)


def month(value: dt.date, texts: Texts) -> str:
    return _month(value.replace(day=1), texts.babel_locale)


# Dates repeat across events, and Babel is slow next to a dict lookup: cache by locale.
@lru_cache(maxsize=20000)
def _day(value: dt.date, locale: str) -> str:
    return format_date(value, "long", locale=locale)


@lru_cache(maxsize=2000)
def _month(value: dt.date, locale: str) -> str:
    return format_skeleton("yMMMM", value, locale=locale)


def clock(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def day_range(first: dt.date, last: dt.date, texts: Texts) -> str:
    if first == last:
        return day(first, texts)
    return _interval(first, last, texts.babel_locale)


@lru_cache(maxsize=20000)
def _interval(first: dt.date, last: dt.date, locale: str) -> str:
    return format_interval(first, last, "yMMMMd", locale=locale)


def _at(stamp: pd.Timestamp, precision: str, texts: Texts) -> str:
    _ = texts.gettext
    date = stamp.date()
    if precision == "exact":
        return _("{day}, {time}").format(day=day(date, texts), time=clock(stamp.time()))
    if precision == "hour":
        return _("{day}, {part}").format(day=day(date, texts), part=part_of_day(stamp.hour, texts))
    if precision == "week":
        return _("week of {day}").format(day=day(date, texts))
    if precision == "month":
        return month(date, texts)
    return day(date, texts)


def when(start: pd.Timestamp, end: pd.Timestamp | None, precision: str, texts: Texts) -> str:
    """Word an event's time in its own timezone; an end is shown only where it adds to the
    start at this precision (an ongoing curfew, a three-day account)."""
    first = _at(start, precision, texts)
    if end is None or pd.isna(end) or precision in {"week", "month"}:
        return first
    last_day = last_instant(end).date()
    if precision == "day":
        return day_range(start.date(), last_day, texts) if last_day > start.date() else first
    if precision == "hour" and last_day > start.date():
        return f"{first} – {day(last_day, texts)}"
    if precision == "exact" and end > start:
        same_day = end.date() == start.date()
        tail = clock(end.time()) if same_day else _at(end, "exact", texts)
        return f"{first} – {tail}"
    return first


def slice_label(piece: Slice, texts: Texts) -> str:
    """A named period keeps its name; a calendar slice is named by its dates."""
    if piece.label:
        return piece.label
    first = piece.start.date()
    if piece.kind == "week":
        return texts.gettext("Week of {day}").format(day=day(first, texts))
    if piece.kind == "month":
        return month(first, texts)
    return day(first, texts)


def slice_dates(piece: Slice, texts: Texts) -> str:
    """The calendar days a slice covers, e.g. "5–19 Jan 2022"."""
    return day_range(piece.start.date(), last_instant(piece.end).date(), texts)


def when_labels(start: pd.Series, end: pd.Series, precision: pd.Series, texts: Texts) -> list[str]:
    """``when`` for whole columns: events that word the same are worded once.

    The key holds exactly what ``when`` reads at each precision (the minute for exact times,
    the part of the day for hours, the last day of a range), so 100,000 events cost a few
    thousand calls rather than 100,000.
    """
    if not len(start):
        return []
    day_ns = 86_400 * 10**9
    minute_ns = 60 * 10**9
    local = start.dt.tz_localize(None).array.asi8
    has_end = end.notna().to_numpy()
    local_end = np.where(has_end, end.dt.tz_localize(None).array.asi8, local)
    start_day = local // day_ns
    last_day = np.where(has_end, (local_end - 1) // day_ns, start_day)
    later_day = np.where(last_day > start_day, last_day, -1)
    hour = (local % day_ns) // (3600 * 10**9)
    part = np.searchsorted([limit for limit, _ in _PARTS_OF_DAY], hour, side="right")
    kind = precision.astype(str).to_numpy()
    exact, by_hour, by_day = kind == "exact", kind == "hour", kind == "day"
    keys = pd.DataFrame(
        {
            "kind": kind,
            "first": np.where(exact, local // minute_ns, start_day),
            "part": np.where(by_hour, part, -1),
            "last": np.where(
                exact,
                np.where(has_end & (local_end > local), local_end // minute_ns, -1),
                np.where(by_hour | by_day, later_day, -1),
            ),
        }
    )
    groups = keys.groupby(["kind", "first", "part", "last"], sort=False).ngroup().to_numpy()
    _, firsts = np.unique(groups, return_index=True)
    starts, ends = start.iloc[firsts].tolist(), end.iloc[firsts].tolist()
    labels = {
        int(groups[i]): when(s, e, kind[i], texts)
        for i, s, e in zip(firsts, starts, ends, strict=True)
    }
    return [labels[g] for g in groups.tolist()]
