"""The time a query asks for, read into the half-open [lo, hi) the filter uses.

The page and the CLI give two parameters, start and end; the API gives one, datetime: an
instant, a date, or an interval a/b with '..' for an open end. Both go through
timeparse.parse_bound, so everywhere a bare date is a whole day in the dataset's timezone and
an end bound includes what it names.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd

from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.timeparse import BOUND_EXPECTED, TimeValueError, parse_bound

Bound = pd.Timestamp | None
Interval = tuple[Bound, Bound]
Side = Literal["start", "end"]
INTERVAL_EXPECTED = (
    "an instant or a date, or an interval a/b with '..' for an open end "
    "(e.g. 2022-01-06/2022-01-07 or 2022-01-06T18:00:00+06:00/..)"
)
NOT_BEFORE = "an end that is not before the start"
OPEN = ("", "..")


def read_bounds(
    start: str | None, end: str | None, tz: ZoneInfo
) -> tuple[Interval, list[QueryProblem]]:
    """start and end, each its own parameter. An end before the start is the end's problem,
    so the page keeps the start and leaves the end out."""
    lo, lo_problem = _bound(start, tz, "start", "start", "the start")
    hi, hi_problem = _bound(end, tz, "end", "end", "the end")
    problems = [p for p in (lo_problem, hi_problem) if p]
    if end is not None and lo is not None and hi is not None and _before(end, lo, tz):
        message = f"must not be before start {shorten(start)}, got {shorten(end)}"
        problems.append(QueryProblem("end", NOT_BEFORE, shorten(end), message))
        hi = None
    return (lo, hi), problems


def read_interval(text: str, tz: ZoneInfo) -> tuple[Interval, list[QueryProblem]]:
    """OGC API's datetime: an instant or a date stands for the interval it covers."""
    parts = text.split("/")
    if len(parts) == 1 and text.strip() not in OPEN:
        try:
            return (parse_bound(text, tz, "start"), parse_bound(text, tz, "end")), []
        except TimeValueError:
            pass  # said below, with every form datetime takes
    if len(parts) != 2:
        found = shorten(text)
        message = f"expected {INTERVAL_EXPECTED}, got {found}"
        return (None, None), [QueryProblem("datetime", INTERVAL_EXPECTED, found, message)]
    first, second = parts
    lo, lo_problem = _open_bound(first, tz, "start")
    hi, hi_problem = _open_bound(second, tz, "end")
    problems = [p for p in (lo_problem, hi_problem) if p]
    if lo is not None and hi is not None and _before(second, lo, tz):
        message = f"the interval's end {shorten(second)} is before its start {shorten(first)}"
        problems.append(QueryProblem("datetime", NOT_BEFORE, shorten(text), message))
    if problems:
        return (None, None), problems
    return (lo, hi), []


def _open_bound(text: str, tz: ZoneInfo, side: Side) -> tuple[Bound, QueryProblem | None]:
    if text.strip() in OPEN:
        return None, None
    role = f"the interval's {side} (or '..' to leave it open)"
    return _bound(text, tz, side, "datetime", role)


def _bound(
    text: str | None, tz: ZoneInfo, side: Side, parameter: str, role: str
) -> tuple[Bound, QueryProblem | None]:
    """One bound, or the problem with it: what form was expected, for which bound."""
    if text is None:
        return None, None
    try:
        return parse_bound(text, tz, side), None
    except TimeValueError:
        found = shorten(text)
        message = f"expected {BOUND_EXPECTED} for {role}, got {found}"
        return None, QueryProblem(parameter, BOUND_EXPECTED, found, message)


def _before(end: str, lo: pd.Timestamp, tz: ZoneInfo) -> bool:
    """Whether an end bound, read as typed, lies before the start: 2022-01-07/2022-01-07 is
    one whole day, not an empty interval."""
    return parse_bound(end, tz, "start") < lo
