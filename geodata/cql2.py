"""A CQL2 filter and a sort order, as the query reader reads them and selection applies them.

The filter is parsed (``cql2parse``) and checked against the collection's queryables on a
table of no rows (``cql2eval``) when the query is read, so an unknown property or a wrong
type is a problem with the query, named with the queryables, before any data is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from pygeofilter import ast

from almaty_map.geodata.cql2eval import evaluate
from almaty_map.geodata.cql2parse import parse_filter
from almaty_map.geodata.cql2table import FilterError, Span, Table
from almaty_map.geodata.crs import CRS84, read_crs
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.queryables import column, queryables_for, remembered

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset

SORTABLE = ("text", "integer", "boolean", "time")
EMPTY_DTYPES = {
    "text": "string",
    "integer": "Int64",
    "boolean": bool,
    "time": "datetime64[ns, UTC]",
}


@dataclass(frozen=True)
class CqlFilter:
    """A parsed filter, checked against ``collection``'s queryables."""

    node: ast.Node
    collection: str = "events"
    filter_crs: str = CRS84


def read_filter(
    meta: Metadata,
    collection: str,
    text: str,
    language: str | None = None,
    crs: str | None = None,
) -> tuple[CqlFilter | None, list[QueryProblem]]:
    node, problems = parse_filter(text, language)
    filter_crs, crs_problems = read_crs("filter-crs", crs)
    if node is None or crs_problems:
        return None, problems + crs_problems
    flt = CqlFilter(node, collection, filter_crs)
    try:
        evaluate(node, _empty_table(meta, collection, filter_crs))
    except FilterError as error:
        return None, [QueryProblem("filter", "a CQL2 filter", shorten(text), str(error))]
    return flt, []


def matches(dataset: Dataset, flt: CqlFilter) -> np.ndarray:
    """The features of the filter's collection that it keeps, as a boolean mask."""
    return evaluate(flt.node, _table(dataset, flt.collection, flt.filter_crs))


def _table(dataset: Dataset, collection: str, filter_crs: str) -> Table:
    frame = dataset.events if collection == "events" else dataset.places
    return Table(
        queryables=queryables_for(collection, dataset.meta.category_ids),
        size=len(frame),
        scalar=lambda name: column(dataset, collection, name),
        geometries=lambda: frame.geometry.to_numpy(),
        bounds=lambda: remembered(
            dataset, (collection, "bounds"), lambda: shapely.bounds(frame.geometry.to_numpy())
        ),
        query=lambda shape, predicate: frame.sindex.query(shape, predicate=predicate),
        spans=(lambda name: _event_spans(dataset, name)) if collection == "events" else None,
        tz=dataset.meta.tz,
        filter_crs=filter_crs,
    )


def _event_spans(dataset: Dataset, name: str) -> Span:
    starts, ends = dataset.start_ns, dataset.end_ns
    if name == "interval":
        return starts, ends, True
    if name == "start":
        return starts, starts + 1, True
    given = dataset.events["end"]
    at = given.array.asi8
    return at, at + 1, given.notna().to_numpy()


def _empty_table(meta: Metadata, collection: str, filter_crs: str) -> Table:
    queryables = queryables_for(collection, meta.category_ids)
    none = np.zeros(0, dtype=np.int64)
    return Table(
        queryables=queryables,
        size=0,
        scalar=lambda name: pd.Series([], dtype=EMPTY_DTYPES[queryables[name].kind]),
        geometries=lambda: np.zeros(0, dtype=object),
        bounds=lambda: np.zeros((0, 4)),
        query=lambda shape, predicate: none,
        spans=(lambda name: (none, none, True)) if collection == "events" else None,
        tz=meta.tz,
        filter_crs=filter_crs,
    )


SortKey = tuple[str, bool]  # (queryable, descending)


def read_sortby(
    meta: Metadata, collection: str, text: str | None
) -> tuple[tuple[SortKey, ...], list[QueryProblem]]:
    """Part 3's sortby: queryables separated by commas, each with an optional + or -."""
    if text is None or not text.strip():
        return (), []
    queryables = queryables_for(collection, meta.category_ids)
    sortable = [n for n, q in queryables.items() if q.kind in SORTABLE]
    expected = "queryables to sort by, each with an optional + or -: " + ", ".join(sortable)
    keys, unknown = [], []
    for part in (p.strip() for p in text.split(",")):
        name = part.lstrip("+-").strip()
        if name in sortable:
            keys.append((name, part.startswith("-")))
        else:
            unknown.append(shorten(part))
    if unknown:
        message = f"cannot sort by {', '.join(unknown[:5])}; expected {expected}"
        return (), [QueryProblem("sortby", expected, shorten(text), message)]
    return tuple(keys), []


def sort_positions(
    dataset: Dataset, collection: str, positions: np.ndarray, keys: tuple[SortKey, ...]
) -> np.ndarray:
    """The positions in the order the keys ask for (stable; missing values last)."""
    if not keys or not len(positions):
        return positions
    frame = pd.DataFrame(
        {
            f"k{i}": column(dataset, collection, name).iloc[positions].to_numpy()
            for i, (name, _) in enumerate(keys)
        }
    )
    order = frame.sort_values(
        [f"k{i}" for i in range(len(keys))],
        ascending=[not descending for _, descending in keys],
        na_position="last",
        kind="stable",
    ).index.to_numpy()
    return positions[order]
