"""The query parameters of the API, read strictly.

OGC API - Features asks for 400 on an unknown parameter and on an invalid value. The filter
parameters are read by geodata.query, as the reader's page reads them, so dates and boxes
mean the same in both; this module adds what only the API has (f, crs, unknown names, a
collection without categories) and rejects the request with every problem at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from almaty_map.geodata.cql2 import SortKey, read_sortby
from almaty_map.geodata.crs import CRS84, read_crs
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.query import DEFAULT_LIMIT, QueryText, read_query
from almaty_map.ogcapi.errors import rejected

COLLECTIONS = ("events", "places")
FORMATS = ("json", "html", "csv")
ITEMS_PARAMS = (
    "f",
    "bbox",
    "datetime",
    "limit",
    "offset",
    "category",
    "q",
    "crs",
    "bbox-crs",
    "filter",
    "filter-lang",
    "filter-crs",
    "sortby",
)
ITEM_PARAMS = ("f", "crs")


@dataclass(frozen=True)
class ItemsQuery:
    filter: EventFilter
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    has_datetime: bool = False
    crs: str = CRS84
    sortby: tuple[SortKey, ...] = ()


def check_request(args: MultiDict, allowed: tuple[str, ...], formats: tuple[str, ...]) -> str:
    """For the endpoints without filters: reject unknown names, f and crs all at once; the
    CRS asked for (CRS84 when none is)."""
    problems = request_problems(args, allowed, formats)
    crs = _take_crs(args, problems)
    _reject_any(problems)
    return crs


def parse_items_query(args: MultiDict, dataset: Dataset, collection: str) -> ItemsQuery:
    """Read every parameter of an items request; ApiError(400) lists every bad one."""
    problems = request_problems(args, ITEMS_PARAMS, FORMATS)
    crs = _take_crs(args, problems)
    categories = tuple(args.getlist("category"))
    if collection != "events" and any(c.strip(", ") for c in categories):
        expected = "no category (places have none)"
        problems.append(QueryProblem.expecting("category", expected, ",".join(categories)))
        categories = ()
    text = QueryText(
        datetime=args.get("datetime"),
        categories=categories,
        bbox=args.get("bbox"),
        bbox_crs=args.get("bbox-crs"),
        q=args.get("q"),
        limit=args.get("limit"),
        offset=args.get("offset"),
        filter=args.get("filter"),
        filter_lang=args.get("filter-lang"),
        filter_crs=args.get("filter-crs"),
        collection=collection,
    )
    query = read_query(dataset.meta, text)
    sortby, sort_problems = read_sortby(dataset.meta, collection, args.get("sortby"))
    _reject_any([*problems, *query.problems, *sort_problems])
    has_datetime = "datetime" in args
    return ItemsQuery(query.filter, query.limit, query.offset, has_datetime, crs, sortby)


def _take_crs(args: MultiDict, problems: list[QueryProblem]) -> str:
    """The response's CRS. CSV gives longitude and latitude by name, so it stays in CRS84."""
    crs, found = read_crs("crs", args.get("crs"))
    problems.extend(found)
    if crs != CRS84 and args.get("f") == "csv":
        expected = f"no crs, or {CRS84}, with f=csv (CSV gives longitude and latitude)"
        problems.append(QueryProblem.expecting("crs", expected, args["crs"]))
    return crs


def request_problems(
    args: MultiDict, allowed: tuple[str, ...], formats: tuple[str, ...]
) -> list[QueryProblem]:
    takes = ", ".join(allowed)
    problems = [
        QueryProblem(
            name[:40],
            takes,
            shorten(name),
            f"not a parameter of this endpoint, which takes {takes}",
        )
        for name in args
        if name not in allowed
    ]
    if "f" in args and args["f"] not in formats:
        problems.append(QueryProblem.expecting("f", " | ".join(formats), args["f"]))
    return problems


def _reject_any(problems: Sequence[QueryProblem]) -> None:
    if problems:
        raise rejected(problems)
