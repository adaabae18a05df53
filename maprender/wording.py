"""Dates and counts worded for readers, at the precision the source allows.

A time recorded to the day is shown as a day, never as midnight; "just after dusk" is an
hour-precision time shown as "evening". The same words are used in popups, the list and the
export, in the reader's language.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from babel.dates import format_date, format_interval, format_skeleton, format_time

from maprender.i18n import Texts

_PARTS_OF_DAY = ((5, "early hours"), (12, "morning"), (17, "afternoon"), (22, "evening"),
                 (24, "night"))
_ONE_NS = pd.Timedelta(1, "ns")


def part_of_day(hour: int, texts: Texts) -> str:
    _ = texts.gettext
    labels = {"early hours": _("early hours"), "morning": _("morning"),
              "afternoon": _("afternoon"), "evening": _("evening"), "night": _("night")}
    return labels[next(name for limit, name in _PARTS_OF_DAY if hour < limit)]


def day(value: dt.date, texts: Texts) -> str:
    return format_date(value, "long", locale=texts.babel_locale)


def month(value: dt.date, texts: Texts) -> str:
    return format_skeleton("yMMMM", value, locale=texts.babel_locale)


def day_range(first: dt.date, last: dt.date, texts: Texts) -> str:
    if first == last:
        return day(first, texts)
    return format_interval(first, last, "yMMMMd", locale=texts.babel_locale)


def _at(stamp: pd.Timestamp, precision: str, texts: Texts) -> str:
    _ = texts.gettext
    date = stamp.date()
    if precision == "exact":
        clock = format_time(stamp.time(), "HH:mm", locale=texts.babel_locale)
        return _("{day}, {time}").format(day=day(date, texts), time=clock)
    if precision == "hour":
        return _("{day}, {part}").format(day=day(date, texts),
                                         part=part_of_day(stamp.hour, texts))
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
    last_day = (end - _ONE_NS).date()
    if precision == "day":
        return day_range(start.date(), last_day, texts) if last_day > start.date() else first
    if precision == "hour" and last_day > start.date():
        return f"{first} – {day(last_day, texts)}"
    if precision == "exact" and end > start:
        same_day = end.date() == start.date()
        tail = (format_time(end.time(), "HH:mm", locale=texts.babel_locale) if same_day
                else _at(end, "exact", texts))
        return f"{first} – {tail}"
    return first


def fatalities(count: int | None, texts: Texts) -> str:
    if count is None:
        return texts.gettext("not reported")
    return texts.ngettext("{n} reported", "{n} reported", count).format(n=count)
