"""Evaluating a CQL2 syntax tree on a collection's columns, a whole column at a time.

pygeofilter's GeoPandas backend has no temporal operators, so this walks its tree itself.
Every predicate gives two masks, (true, false): a comparison with a missing value is neither,
as CQL2's three-valued logic says, so ``NOT deaths_min > 2`` keeps no event without a figure.
Times are the events' half-open [start, end) (see ``intervals``); distances are metres on the
ellipsoid, measured in an equidistant projection centred on the literal geometry.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pygeofilter import ast

from almaty_map.geodata.cql2spacetime import (
    SPATIAL,
    TEMPORAL,
    dwithin,
    instant,
    spatial,
    temporal,
)
from almaty_map.geodata.cql2table import (
    FilterError,
    Table,
    Truth,
    attribute,
    describe,
    known_truth,
)

COMPARE = {
    ast.Equal: operator.eq,
    ast.NotEqual: operator.ne,
    ast.LessThan: operator.lt,
    ast.LessEqual: operator.le,
    ast.GreaterThan: operator.gt,
    ast.GreaterEqual: operator.ge,
}


def evaluate(node: ast.Node, table: Table) -> np.ndarray:
    """The features the filter keeps, as a boolean mask."""
    return _truth(node, table)[0]


def _truth(node: object, table: Table) -> Truth:
    if isinstance(node, ast.And | ast.Or):
        (t1, f1), (t2, f2) = _truth(node.lhs, table), _truth(node.rhs, table)
        return (t1 & t2, f1 | f2) if isinstance(node, ast.And) else (t1 | t2, f1 & f2)
    if isinstance(node, ast.Not):
        t, f = _truth(node.sub_node, table)
        return f, t
    if isinstance(node, ast.Include):
        every = np.ones(table.size, dtype=bool)
        return (~every, every) if node.not_ else (every, ~every)
    reader = _READERS.get(type(node))
    if reader is not None:
        return reader(node, table)
    if isinstance(node, ast.Function) and node.name in TEMPORAL:
        return temporal(node, table)
    if isinstance(node, ast.Function) and node.name == "s_dwithin":
        return dwithin(node, table)
    raise FilterError(f"{describe(node)} is not supported here: {_SUPPORTED}")


_SUPPORTED = (
    "use comparisons, LIKE, IN, BETWEEN, IS NULL, AND/OR/NOT, S_ functions, "
    "S_DWITHIN(geometry, g, distance, meters) and T_ functions written T_NAME(a, b)"
)


def _bools(result: object) -> np.ndarray:
    series = pd.Series(result)
    return series.fillna(False).to_numpy(dtype=bool) if len(series) else np.zeros(0, bool)


# Scalars: a column (pd.Series) or a literal, each with its kind.


def _scalar(node: object, table: Table) -> tuple[object, str]:
    """(values, kind) of an operand that is not a geometry or a span."""
    if isinstance(node, ast.Function) and node.name == "lower" and len(node.arguments) == 1:
        found, kind = _scalar(node.arguments[0], table)
        if kind != "text":
            raise FilterError(f"CASEI takes text, got {kind}")
        return (found.str.casefold() if isinstance(found, pd.Series) else found.casefold()), kind
    if isinstance(node, ast.Attribute):
        queryable = attribute(node, table)
        if queryable.kind in ("geometry", "interval"):
            use = "an S_ function" if queryable.kind == "geometry" else "a T_ function"
            raise FilterError(f"property {node.name!r} is compared with {use}, not with this")
        return table.scalar(node.name), queryable.kind
    if isinstance(node, bool):
        return node, "boolean"
    if isinstance(node, int | float):
        return node, "integer"
    if isinstance(node, str):
        return node, "text"
    if isinstance(node, dt.date):
        return instant(node, table.tz), "time"
    raise FilterError(f"{describe(node)} cannot be compared; {_SUPPORTED}")


def _pair(lhs: object, rhs: object, table: Table) -> tuple[object, object, np.ndarray]:
    """Two operands of the same kind, and where both are known."""
    (a, kind_a), (b, kind_b) = _scalar(lhs, table), _scalar(rhs, table)
    if {kind_a, kind_b} <= {"integer"} or kind_a == kind_b:
        known = np.ones(table.size, dtype=bool)
        for side in (a, b):
            if isinstance(side, pd.Series):
                known &= side.notna().to_numpy()
        return a, b, known
    raise FilterError(f"{_shown(lhs)} is {kind_a} but {_shown(rhs)} is {kind_b}")


def _shown(node: object) -> str:
    return f"property {node.name!r}" if isinstance(node, ast.Attribute) else repr(node)


def _comparison(node: ast.Comparison, table: Table) -> Truth:
    a, b, known = _pair(node.lhs, node.rhs, table)
    return known_truth(_bools(COMPARE[type(node)](a, b)), known)


def _between(node: ast.Between, table: Table) -> Truth:
    a, low, known = _pair(node.lhs, node.low, table)
    _, high, known_high = _pair(node.lhs, node.high, table)
    return known_truth(_bools((a >= low) & (a <= high)), known & known_high, node.not_)


def _in(node: ast.In, table: Table) -> Truth:
    if not isinstance(node.lhs, ast.Attribute) or not isinstance(node.sub_nodes, list):
        raise FilterError("IN needs a property on its left and a list of values")
    if not node.sub_nodes:
        raise FilterError("IN needs at least one value")
    pairs = [_pair(node.lhs, option, table) for option in node.sub_nodes]  # each checked
    column, _, known = pairs[0]
    return known_truth(_bools(column.isin([b for _, b, _ in pairs])), known, node.not_)


def _is_null(node: ast.IsNull, table: Table) -> Truth:
    if isinstance(node.lhs, ast.Attribute) and attribute(node.lhs, table).kind in (
        "geometry",
        "interval",
    ):
        missing = np.zeros(table.size, dtype=bool)
    else:
        found, _ = _scalar(node.lhs, table)
        missing = (
            found.isna().to_numpy()
            if isinstance(found, pd.Series)
            else np.full(table.size, found is None)
        )
    return (~missing, missing) if node.not_ else (missing, ~missing)


def _like(node: ast.Like, table: Table) -> Truth:
    """CQL2's LIKE: % any run, _ one character, backslash escapes (Arrow's match_like)."""
    caseless = isinstance(node.lhs, ast.Function) or isinstance(node.pattern, ast.Function)
    lhs = node.lhs.arguments[0] if isinstance(node.lhs, ast.Function) else node.lhs
    pattern = node.pattern.arguments[0] if isinstance(node.pattern, ast.Function) else node.pattern
    found, kind = _scalar(lhs, table)
    if kind != "text" or not isinstance(pattern, str) or not isinstance(found, pd.Series):
        got = f"{kind} and {pattern!r}"
        raise FilterError(f"LIKE compares a text property with a text pattern, got {got}")
    matched = pc.match_like(pa.array(found.array), pattern, ignore_case=caseless)
    return known_truth(
        pc.fill_null(matched, False).to_numpy(zero_copy_only=False),
        found.notna().to_numpy(),
        node.not_,
    )


_READERS: dict[type, Callable[[object, Table], Truth]] = {
    **dict.fromkeys(COMPARE, _comparison),
    ast.Between: _between,
    ast.In: _in,
    ast.IsNull: _is_null,
    ast.Like: _like,
    **dict.fromkeys(SPATIAL, spatial),
    ast.BBox: spatial,
}
