"""CQL2's times in SQL, compared exactly as the files' evaluator compares nanoseconds.

The evaluator (``geodata.cql2spacetime``) compares half-open spans in int64 nanoseconds: an
event is [start, end), one without an end (or ending at its start) [start, start + 1 ns),
an instant [t, t + 1 ns). The database keeps microseconds, and every stored time is a whole
number of them, so each comparison of a column plus a few nanoseconds with a nanosecond
literal is rewritten, with the literal rounded the one way that keeps it exact, into a plain
comparison of the column the btree indexes answer. Allen's relations are the evaluator's
own table (``TEMPORAL``), applied to the terms here, so both read one definition.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from pygeofilter import ast
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true

from almaty_map.database.schema import events
from almaty_map.geodata.cql2spacetime import TEMPORAL, span_of
from almaty_map.geodata.cql2table import FilterError

US = 1000  # nanoseconds in a microsecond, the database's step
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
Op = Callable[[object, object], bool]
_FLIPPED = {
    operator.lt: operator.gt,
    operator.le: operator.ge,
    operator.gt: operator.lt,
    operator.ge: operator.le,
    operator.eq: operator.eq,
}


def at(ns: int) -> dt.datetime:
    """A whole number of microseconds since the epoch, in nanoseconds, as a datetime."""
    return EPOCH + dt.timedelta(microseconds=ns // US)


@dataclass(frozen=True, eq=False)
class Moment:
    """A stored time column plus ``offset`` nanoseconds, a literal (``column`` None: ``ns``),
    or an event's exclusive end (``exclusive_end``); compared with <, <=, >, >=, == into
    SQL conditions (NULL where a column is NULL, as the evaluator's unknown)."""

    column: ColumnElement | None = None
    offset: int = 0
    ns: int = 0
    exclusive_end: bool = False

    def __lt__(self, other: Moment) -> ColumnElement[bool]:
        return compare(self, operator.lt, other)

    def __le__(self, other: Moment) -> ColumnElement[bool]:
        return compare(self, operator.le, other)

    def __gt__(self, other: Moment) -> ColumnElement[bool]:
        return compare(self, operator.gt, other)

    def __ge__(self, other: Moment) -> ColumnElement[bool]:
        return compare(self, operator.ge, other)

    def __eq__(self, other: object) -> ColumnElement[bool]:  # type: ignore[override]
        assert isinstance(other, Moment)
        return compare(self, operator.eq, other)

    __hash__ = None  # type: ignore[assignment]


def compare(a: Moment, op: Op, b: Moment) -> ColumnElement[bool]:
    if a.exclusive_end or b.exclusive_end:
        return _greatest(a, op, b)
    if a.column is None and b.column is None:
        return true() if op(a.ns, b.ns) else false()
    if a.column is None:
        return compare(b, _FLIPPED[op], a)
    if b.column is None:
        return _with_literal(a.column, op, b.ns - a.offset)
    return _with_column(a.column, op, b.column, b.offset - a.offset)


def _greatest(a: Moment, op: Op, b: Moment) -> ColumnElement[bool]:
    """An exclusive end is the greater of the end (the start where there is none) and the
    start plus 1 ns: greater than something when either is, less when both are. The first
    is the reach (``greatest(end, start)``, which never lies below the start), the term
    ``events_place_time`` indexes: tested as "end missing or before" it was answered by
    a bitmap of the 700,000 events without an end (45 ms of a 60 ms page)."""
    if not a.exclusive_end:
        return compare(b, _FLIPPED[op], a)
    if op is operator.eq:
        return and_(compare(a, operator.ge, b), compare(a, operator.le, b))
    reach, after_start = Moment(_reach()), Moment(events.c.start, 1)
    by_reach, by_start = compare(reach, op, b), compare(after_start, op, b)
    if op in (operator.gt, operator.ge):
        return or_(by_reach, by_start)
    return and_(by_reach, by_start)


def _with_literal(column: ColumnElement, op: Op, ns: int) -> ColumnElement[bool]:
    """column op ns, where column holds whole microseconds."""
    down, up = ns - ns % US, -(-ns // US) * US
    if op is operator.eq:
        return column == at(ns) if ns % US == 0 else _never(column, column)
    bound = {operator.lt: up, operator.le: down, operator.gt: down, operator.ge: up}[op]
    return op(column, at(bound))


def _with_column(a: ColumnElement, op: Op, b: ColumnElement, ns: int) -> ColumnElement[bool]:
    """a op b + ns for |ns| <= 1: a - b is a whole number of microseconds."""
    if op is operator.eq:
        return a == b if ns == 0 else _never(a, b)
    if ns == 0:
        return op(a, b)
    if op in (operator.lt, operator.le):  # a - b below 1 ns is at most 0, below -1 ns under 0
        return a <= b if ns > 0 else a < b
    return a >= b if ns < 0 else a > b  # above -1 ns is at least 0, above 1 ns over 0


def _never(a: ColumnElement, b: ColumnElement) -> ColumnElement[bool]:
    """False where both are known, NULL (unknown) where either is not."""
    return and_(a < b, a > b)


def moments(node: object, tz: ZoneInfo) -> tuple[Moment, Moment]:
    """The span [lo, hi) of a T_ function's argument: a property's or a literal's."""
    if isinstance(node, ast.Attribute):
        if node.name == "interval":
            return Moment(events.c.start), Moment(exclusive_end=True)
        if node.name in ("start", "end"):
            column = events.c[node.name]
            return Moment(column), Moment(column, 1)
        raise FilterError(f"property {node.name!r} is not a time")
    lo, hi, _ = span_of(node, SimpleNamespace(tz=tz, spans=None))
    return Moment(ns=int(lo)), Moment(ns=int(hi))


def temporal_sql(node: ast.Function, tz: ZoneInfo) -> ColumnElement[bool]:
    """A T_ function as one SQL condition, by the evaluator's relation."""
    if len(node.arguments) != 2:
        raise FilterError(f"{node.name.upper()} takes two times")
    (s, e), (bs, be) = (moments(argument, tz) for argument in node.arguments)
    return TEMPORAL[node.name](s, e, bs, be)


def _reach() -> ColumnElement:
    """How far an event reaches: its end, or its start without one; the expression
    ``events_start_reach`` and ``events_place_time`` index, written as they write it."""
    return func.greatest(events.c.end, events.c.start)


def reaching(lo: int, longest: dt.timedelta | None) -> list[ColumnElement[bool]]:
    """What an exclusive end after ``lo`` (nanoseconds) implies, in the terms the indexes
    answer: the event reaches lo's microsecond, and (given ``longest``, the version's
    longest event) started at most that long before it. Implied only: no row fewer."""
    floor = at(lo)
    bounds = [_reach() >= floor]
    if longest is not None:
        bounds.append(events.c.start >= floor - longest)
    return bounds


def overlap_sql(
    lo: int | None, hi: int | None, longest: dt.timedelta | None
) -> ColumnElement[bool]:
    """Events whose span [start, exclusive end) overlaps [lo, hi) (T_INTERSECTS with a
    literal; None: unbounded), exactly, in terms whose estimates do not overlap.

    The exclusive end is after lo where the reach is past lo's microsecond, or the start is
    at or after lo; given a reach at or after that microsecond, it fails only where the reach
    is that microsecond and the start before lo. Written so, the planner reads the reach
    from the index's statistics and the exception as the rare equality it is: the usual
    OR (end after lo, or start at or after it) beside the reach bound was taken as a second,
    independent third of the events, and the page planned for a tenth of its rows."""
    parts: list[ColumnElement[bool]] = []
    if hi is not None:
        parts.append(_with_literal(events.c.start, operator.lt, hi))
    if lo is not None:
        floor, ceiling = at(lo), at(-(-lo // US) * US)
        parts.extend(reaching(lo, longest))
        parts.append(not_(and_(_reach() == floor, events.c.start < ceiling)))
    return and_(true(), *parts)
