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


# "No such time" in the keys: -1 would be a minute (or a day) before 1970.
_NONE = np.iinfo(np.int64).min


def when_labels(start: pd.Series, end: pd.Series, precision: pd.Series, texts: Texts) -> list[str]:
    """``when`` for whole columns: events that word the same are worded once.

    The key holds exactly what ``when`` reads at each precision (the minute for exact times,
    the part of the day for hours, the last day of a range), so 100,000 events cost a few
    thousand calls rather than 100,000.
    """
    if not len(start):
        return []
    start, end = start.dt.as_unit("ns"), end.dt.as_unit("ns")  # the keys count nanoseconds
    day_ns = 86_400 * 10**9
    minute_ns = 60 * 10**9
    local = start.dt.tz_localize(None).array.asi8
    has_end = end.notna().to_numpy()
    local_end = np.where(has_end, end.dt.tz_localize(None).array.asi8, local)
    start_day = local // day_ns
    last_day = np.where(has_end, (local_end - 1) // day_ns, start_day)
    later_day = np.where(last_day > start_day, last_day, _NONE)
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
                np.where(has_end & (local_end > local), local_end // minute_ns, _NONE),
                np.where(by_hour | by_day, later_day, _NONE),
            ),
        }
    )
    groups = keys.groupby(["kind", "first", "part", "last"], sort=False).ngroup().to_numpy()
    _, firsts = np.unique(groups, return_index=True)
    timed = firsts[exact[firsts]]
    worded = _exact_times(keys["first"].to_numpy()[timed], keys["last"].to_numpy()[timed], texts)
    labels = dict(zip(groups[timed].tolist(), worded, strict=True))
    rest = firsts[~exact[firsts]]
    starts, ends = start.iloc[rest].tolist(), end.iloc[rest].tolist()
    for i, s, e in zip(rest.tolist(), starts, ends, strict=True):
        labels[int(groups[i])] = when(s, e, kind[i], texts)
    return [labels[g] for g in groups.tolist()]


def _exact_times(first: np.ndarray, last: np.ndarray, texts: Texts) -> list[str]:
    """What ``when`` words for exact times, from the keys ``when_labels`` groups them by:
    the local minute since 1970 of the start and of a later end (_NONE for none). A large
    dataset has tens of thousands of distinct minutes, so each is worded with a format call
    or two rather than by taking Timestamps apart."""
    pattern = texts.gettext("{day}, {time}")
    epoch = dt.date(1970, 1, 1)
    days = np.unique(np.concatenate([first // 1440, last[last != _NONE] // 1440])).tolist()
    named = {d: day(epoch + dt.timedelta(days=d), texts) for d in days}

    def at(minute: int) -> str:
        return pattern.format(day=named[minute // 1440], time=_clock(minute))

    out = []
    for start, end in zip(first.tolist(), last.tolist(), strict=True):
        if end == _NONE:
            out.append(at(start))
        elif end // 1440 == start // 1440:
            out.append(f"{at(start)} – {_clock(end)}")
        else:
            out.append(f"{at(start)} – {at(end)}")
    return out


def _clock(minute: int) -> str:
    return f"{minute % 1440 // 60:02d}:{minute % 60:02d}"
