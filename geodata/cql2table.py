"""What a CQL2 filter is evaluated on, shared by the evaluator's modules.

A Table gives a collection's columns, whole; one of zero rows checks a filter's properties
and types before any data is read, so a wrong filter is a problem with the query, never an
error while a page is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely
from pygeofilter import ast

from almaty_map.geodata.crs import CRS84
from almaty_map.geodata.queryables import Queryable

# Where a predicate holds, and where it does not (both False where a value is missing).
Truth = tuple[np.ndarray, np.ndarray]
# A time span [lo, hi) in int64 nanoseconds per feature (or one for a literal), and where
# it is known.
Span = tuple[np.ndarray | int, np.ndarray | int, np.ndarray | bool]


class FilterError(ValueError):
    """A filter that reads but cannot be evaluated: an unknown property, a wrong type."""


@dataclass(frozen=True)
class Table:
    queryables: dict[str, Queryable]
    size: int
    scalar: Callable[[str], pd.Series]
    geometries: Callable[[], np.ndarray]
    # Each geometry's box (minx, miny, maxx, maxy), one row per feature.
    bounds: Callable[[], np.ndarray]
    # Positions of the features for which predicate(geometry given, feature's geometry)
    # holds, by the spatial index (shapely's STRtree predicates).
    query: Callable[[shapely.Geometry, str], np.ndarray]
    spans: Callable[[str], Span] | None
    tz: ZoneInfo
    filter_crs: str = CRS84


def attribute(node: ast.Attribute, table: Table) -> Queryable:
    """The queryable a property names, or FilterError naming it and every queryable."""
    found = table.queryables.get(node.name)
    if found is None:
        names = ", ".join(table.queryables)
        raise FilterError(f"unknown property {node.name!r}; the queryables are {names}")
    return found


def known_truth(t: np.ndarray, known: np.ndarray, negate: bool = False) -> Truth:
    f = ~t & known
    t = t & known
    return (f, t) if negate else (t, f)


def describe(node: object) -> str:
    if isinstance(node, ast.Function):
        return f"function {node.name.upper()}"
    return type(node).__name__
