"""A CQL2 filter on events as one SQL condition that keeps exactly what the files keep.

The filter's syntax tree (``geodata.cql2parse``, already checked against the queryables by
``read_filter``) is translated node by node into SQLAlchemy expressions with bound values.
CQL2's three-valued logic is SQL's own: a comparison with a missing value is NULL, NOT
keeps it NULL, and a page keeps only rows where the whole condition is true, as the files'
evaluator (``geodata.cql2eval``) keeps only features whose "true" mask is set. Each
queryable is the column the files' frame holds (``cql2columns``), times are compared to the
nanosecond (``cql2time``) and shapes as shown (``cql2space``).

CASEI is not translated: the files fold case with Python's ``str.casefold`` (ß is "ss"),
which PostgreSQL's ``lower`` does not match. A filter holding it is ``UntranslatableError``, and
is decided by the files' evaluator on the candidates its other top-level AND parts select
(``cql_condition``).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pygeofilter import ast
from sqlalchemy import ColumnElement, and_, false, literal, not_, or_, true

from almaty_map.database.cql2columns import queryable_column
from almaty_map.database.cql2space import dwithin_metres, dwithin_sql, spatial_sql
from almaty_map.database.cql2time import (
    Moment,
    compare,
    moments,
    overlap_sql,
    reaching,
    temporal_sql,
)
from almaty_map.geodata.cql2 import CqlFilter
from almaty_map.geodata.cql2eval import COMPARE
from almaty_map.geodata.cql2spacetime import OPEN_HI, OPEN_LO, SPATIAL, TEMPORAL, instant
from almaty_map.geodata.cql2table import FilterError

ORDERING = (operator.lt, operator.le, operator.gt, operator.ge)
TEXT = ("id", "title", "description", "category", "time_precision", "place", "place_id")
TEXT_KINDS = (*TEXT, "geo_precision", "actors", "publications")
# Allen's relations under which the event's end lies after the other span's start, and
# whose translation does not already bound the start from below: for the
# others (T_DURING's start after the literal's, ...) the bounds walk the index no nearer,
# and the planner, counting them as a further restriction, expected too few rows.
IMPLYING_START = frozenset({"t_overlaps", "t_contains", "t_finishedby"})


class UntranslatableError(ValueError):
    """A filter whose meaning SQL cannot give exactly (see the module docstring)."""


@dataclass(frozen=True)
class _Context:
    tz: ZoneInfo
    filter_crs: str


def cql_condition(
    flt: CqlFilter, tz: ZoneInfo, longest: dt.timedelta | None = None
) -> tuple[ColumnElement[bool], bool]:
    """The filter in SQL and True; or, when some of it is untranslatable, the top-level AND
    parts that are (every event the filter keeps meets them) and False: the evaluator then
    decides on the rows they select. Either way with the time bounds its top-level parts
    imply (``_implied_start``), given ``longest``, the version's longest event."""
    context = _Context(tz, flt.filter_crs)
    nodes = conjuncts(flt.node)
    overlaps = [_overlap_of(node, tz, longest) for node in nodes]
    implied = (_implied_start(node, tz, longest) for node in nodes)
    bounds = [bound for bound in implied if bound is not None]
    parts = [overlap for overlap in overlaps if overlap is not None]
    exact = True
    for node, overlap in zip(nodes, overlaps, strict=True):
        if overlap is not None:
            continue
        try:
            parts.append(_sql(node, context))
        except UntranslatableError:
            exact = False
    return and_(true(), *parts, *bounds), exact


def _overlap_of(
    node: object, tz: ZoneInfo, longest: dt.timedelta | None
) -> ColumnElement[bool] | None:
    """A top-level ``T_INTERSECTS(interval, literal)`` exactly as the datetime parameter's
    condition (``selection.overlapping``), bounds and all; None for any other part. Its own
    translation with the bounds beside it says the same twice, and the planner, taking the
    two for independent, expected 30 times too few rows (7,912 for 245,605 at a million):
    it then sorted all 36,000 events of a place and days to give the first 100 (570 ms)
    where walking the start index finds them in 8 ms."""
    if not (isinstance(node, ast.Function) and node.name == "t_intersects"):
        return None
    event, other = node.arguments
    if not isinstance(event, ast.Attribute) or event.name != "interval":
        return None
    if isinstance(other, ast.Attribute):
        return None
    lo, hi = moments(other, tz)
    return overlap_sql(
        None if lo.ns == OPEN_LO else lo.ns, None if hi.ns == OPEN_HI else hi.ns, longest
    )


def _implied_start(
    node: object, tz: ZoneInfo, longest: dt.timedelta | None
) -> ColumnElement[bool] | None:
    """For a top-level ``T_…(interval, literal)`` whose relation puts the event's end after
    the literal's start and whose translation leaves the start unbounded below
    (``IMPLYING_START``), the bounds that implies in the form the indexes answer
    (``cql2time.reaching``): the page then walks the start index from near that instant
    rather than from the version's first event (5-9 s at a million for a late day's
    T_INTERSECTS). Implied, so never a row fewer."""
    if not (isinstance(node, ast.Function) and node.name in IMPLYING_START):
        return None
    event, other = node.arguments
    if not (isinstance(event, ast.Attribute) and event.name == "interval"):
        return None
    if isinstance(other, ast.Attribute):
        return None
    lo, _ = moments(other, tz)
    if lo.ns <= OPEN_LO:  # an interval open at its start bounds nothing
        return None
    return and_(*reaching(lo.ns, longest))


def conjuncts(node: object) -> list[object]:
    """The filter's top-level AND parts: every event it keeps meets each of them."""
    if isinstance(node, ast.And):
        return conjuncts(node.lhs) + conjuncts(node.rhs)
    return [node]


def _sql(node: object, context: _Context) -> ColumnElement[bool]:
    if isinstance(node, ast.And):
        return and_(_sql(node.lhs, context), _sql(node.rhs, context))
    if isinstance(node, ast.Or):
        return or_(_sql(node.lhs, context), _sql(node.rhs, context))
    if isinstance(node, ast.Not):
        return not_(_sql(node.sub_node, context))
    if isinstance(node, ast.Include):
        return false() if node.not_ else true()
    if isinstance(node, ast.Comparison):
        return _compared(node.lhs, COMPARE[type(node)], node.rhs, context)
    if isinstance(node, ast.Between):
        within = and_(
            _compared(node.lhs, operator.ge, node.low, context),
            _compared(node.lhs, operator.le, node.high, context),
        )
        return not_(within) if node.not_ else within
    if isinstance(node, ast.In):
        return _in(node, context)
    if isinstance(node, ast.IsNull):
        return _is_null(node, context)
    if isinstance(node, ast.Like):
        return _like(node)
    if isinstance(node, (*SPATIAL, ast.BBox)):
        return spatial_sql(node, context.filter_crs)
    if isinstance(node, ast.Function) and node.name in TEMPORAL:
        return temporal_sql(node, context.tz)
    if isinstance(node, ast.Function) and node.name == "s_dwithin":
        return dwithin_sql(node, context.filter_crs, dwithin_metres(node))
    raise FilterError(f"{type(node).__name__} is not supported here")


def _operand(node: object, context: _Context) -> tuple[object, bool]:
    """A column expression or a Python literal (times as Moments), and whether it is text."""
    if isinstance(node, ast.Function) and node.name == "lower":
        raise UntranslatableError("CASEI")
    if isinstance(node, ast.Attribute):
        if node.name in ("start", "end"):
            return Moment(queryable_column(node.name)), False
        return queryable_column(node.name), node.name in TEXT_KINDS
    if isinstance(node, dt.date):
        return Moment(ns=instant(node, context.tz).value), False
    if isinstance(node, bool | int | float | str):
        return node, isinstance(node, str)
    raise FilterError(f"{type(node).__name__} cannot be compared")


def _compared(lhs: object, op, rhs: object, context: _Context) -> ColumnElement[bool]:
    """lhs op rhs as the files compare them: times to the nanosecond, text by code point
    (C collation), where either side is missing NULL."""
    (a, text_a), (b, text_b) = _operand(lhs, context), _operand(rhs, context)
    if isinstance(a, Moment) or isinstance(b, Moment):
        return compare(a, op, b)
    if not isinstance(a, ColumnElement) and not isinstance(b, ColumnElement):
        return true() if op(a, b) else false()
    if op in ORDERING and (text_a or text_b):
        a, b = (_by_code_point(side) for side in (a, b))
    if not isinstance(a, ColumnElement):
        a = literal(a)
    return op(a, b)


def _by_code_point(side: object) -> ColumnElement:
    value = side if isinstance(side, ColumnElement) else literal(side)
    return value.collate("C")


def _in(node: ast.In, context: _Context) -> ColumnElement[bool]:
    column, _ = _operand(node.lhs, context)
    options = [_operand(option, context)[0] for option in node.sub_nodes]
    if isinstance(column, Moment) or any(isinstance(o, Moment) for o in options):
        found = or_(*(compare(column, operator.eq, o) for o in options))
    else:
        found = column.in_(options)
    return not_(found) if node.not_ else found


def _is_null(node: ast.IsNull, context: _Context) -> ColumnElement[bool]:
    if isinstance(node.lhs, ast.Attribute) and node.lhs.name in ("geometry", "interval"):
        missing: ColumnElement[bool] = false()
    else:
        value, _ = _operand(node.lhs, context)
        if isinstance(value, Moment):
            value = value.column
        missing = value.is_(None) if isinstance(value, ColumnElement) else literal(value is None)
    return not_(missing) if node.not_ else missing


def _like(node: ast.Like) -> ColumnElement[bool]:
    if not isinstance(node.lhs, ast.Attribute) or not isinstance(node.pattern, str):
        raise UntranslatableError("CASEI")
    found = queryable_column(node.lhs.name).like(like_pattern(node.pattern), escape="\\")
    return not_(found) if node.not_ else found


def like_pattern(pattern: str) -> str:
    """CQL2's pattern as the files read it, for PostgreSQL's LIKE with backslash as its
    escape. The files use Arrow's match_like: % and _ are wild, a backslash makes the next
    character plain and one at the very end is ignored; but a pattern of the forms 'abc%',
    '%abc%' or '%abc' is searched for as plain text, backslashes and all (Arrow's fast
    paths, the same three expressions tried in the same order)."""
    for form, wrap in _PLAIN_FORMS:
        found = form.fullmatch(pattern)
        if found:
            return wrap.format((found.group(1) or "").replace("\\", "\\\\"))
    out, escaped = [], False
    for character in pattern:
        if escaped:
            out.append("\\" + character if character in "%_\\" else character)
            escaped = False
        elif character == "\\":
            escaped = True
        else:
            out.append(character)
    return "".join(out)


_PLAIN_FORMS = (
    (re.compile(r"%+([^%_]*[^\\%_])?%+", re.S), "%{}%"),
    (re.compile(r"([^%_]*[^\\%_])?%+", re.S), "{}%"),
    (re.compile(r"%+([^%_]*)", re.S), "%{}"),
)
