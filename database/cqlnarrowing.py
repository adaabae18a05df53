"""Conditions in SQL that every event a CQL2 filter keeps meets, so the indexes narrow the
candidates the project's own evaluator then decides on (``database.source``).

Only the parts of the filter's top-level AND that the indexes answer are read: a category,
an id, a box or shape the geometry meets or lies within, a time span the event's interval
overlaps. Nothing here needs to be exact, only never to leave out an event the filter keeps,
so both backends keep exactly the same events whatever the filter says.
"""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd
from pygeofilter import ast, values
from sqlalchemy import ColumnElement

from almaty_map.database.schema import events
from almaty_map.database.selection import meeting_box_loosely, overlapping
from almaty_map.geodata.cql2 import CqlFilter
from almaty_map.geodata.cql2spacetime import OPEN_HI, OPEN_LO, literal_shape, span_of
from almaty_map.geodata.cql2table import FilterError

# Allen's relations of an event's interval to a literal span that imply they overlap.
OVERLAPPING = frozenset(
    (
        "t_intersects", "t_overlaps", "t_overlappedby", "t_starts", "t_startedby",
        "t_during", "t_contains", "t_finishes", "t_finishedby", "t_equals",
    )
)  # fmt: skip


def cql_narrowing(flt: CqlFilter, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    """Conditions every event the filter keeps meets (``tz``: the dataset's, in which a
    bare date is read)."""
    found: list[ColumnElement[bool]] = []
    for node in _conjuncts(flt.node):
        part = _narrowing(node, flt, tz)
        if part is not None:
            found.append(part)
    return found


def _conjuncts(node: object) -> list[object]:
    if isinstance(node, ast.And):
        return _conjuncts(node.lhs) + _conjuncts(node.rhs)
    return [node]


def _narrowing(node: object, flt: CqlFilter, tz: ZoneInfo) -> ColumnElement[bool] | None:
    if isinstance(node, ast.Equal | ast.In) and _names(node.lhs, "category"):
        options = [node.rhs] if isinstance(node, ast.Equal) else node.sub_nodes
        if isinstance(node, ast.In) and node.not_:
            return None
        if all(isinstance(o, str) for o in options):
            return events.c.category.in_(options)
    if isinstance(node, ast.Equal) and _names(node.lhs, "id") and isinstance(node.rhs, str):
        return events.c.id == node.rhs
    if isinstance(node, ast.BBox) and _names(node.lhs, "geometry"):
        return _near_literal(node, flt)
    if isinstance(node, ast.GeometryIntersects | ast.GeometryWithin):
        return _near_literal(node, flt)
    if isinstance(node, ast.Function) and node.name in OVERLAPPING:
        return _overlapping_literal(node, tz)
    return None


def _overlapping_literal(node: ast.Function, tz: ZoneInfo) -> ColumnElement[bool] | None:
    """Events whose interval overlaps the literal span a T_ function compares it with."""
    if len(node.arguments) != 2:
        return None
    first, second = node.arguments
    literal = second if _names(first, "interval") else first if _names(second, "interval") else None
    if literal is None or isinstance(literal, ast.Attribute):
        return None
    try:
        lo, hi, _ = span_of(literal, SimpleNamespace(tz=tz))
    except FilterError:  # the evaluator names it; nothing to narrow by
        return None
    return overlapping(
        None if lo == OPEN_LO else pd.Timestamp(lo, tz="UTC"),
        None if hi == OPEN_HI else pd.Timestamp(hi, tz="UTC"),
    )


def _names(node: object, name: str) -> bool:
    return isinstance(node, ast.Attribute) and node.name == name


def _near_literal(node: ast.Node, flt: CqlFilter) -> ColumnElement[bool] | None:
    """Events whose shape comes near a literal shape's box (in CRS84, widened by a grid
    cell for coarsened points): a necessary condition of meeting it or lying within it."""
    if isinstance(node, ast.BBox):
        literal_node: object = ast.Function("bbox", [node.minx, node.miny, node.maxx, node.maxy])
    else:
        sides = (node.lhs, node.rhs)
        if not any(_names(side, "geometry") for side in sides):
            return None
        literal_node = next(side for side in sides if not _names(side, "geometry"))
        if not isinstance(literal_node, values.Geometry | values.Envelope | ast.Function):
            return None
    try:
        shape = literal_shape(literal_node, flt.filter_crs)
    except FilterError:  # the evaluator names it; nothing to narrow by
        return None
    return meeting_box_loosely(shape.bounds)
