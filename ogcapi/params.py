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

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.query import DEFAULT_LIMIT, QueryText, read_query
from almaty_map.ogcapi.errors import rejected

COLLECTIONS = ("events", "places")
FORMATS = ("json", "html", "csv")
ITEMS_PARAMS = ("f", "bbox", "datetime", "limit", "offset", "category", "q", "crs", "bbox-crs")
ITEM_PARAMS = ("f", "crs")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# Clients that speak Part 2 (GDAL, QGIS) name the CRS they want; this API serves one.
CRS84_NAMES = (CRS84, "https://www.opengis.net/def/crs/OGC/1.3/CRS84", "[OGC:CRS84]", "OGC:CRS84")


@dataclass(frozen=True)
class ItemsQuery:
    filter: EventFilter
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    has_datetime: bool = False


def check_request(
    args: MultiDict,
    allowed: tuple[str, ...],
    formats: tuple[str, ...],
    crs: tuple[str, ...] = (),
) -> None:
    """For the endpoints without filters: reject unknown names, f and crs all at once."""
    _reject_any(_request_problems(args, allowed, formats, crs))


def parse_items_query(args: MultiDict, dataset: Dataset, collection: str) -> ItemsQuery:
    """Read every parameter of an items request; ApiError(400) lists every bad one."""
    problems = _request_problems(args, ITEMS_PARAMS, FORMATS, ("crs", "bbox-crs"))
    categories = tuple(args.getlist("category"))
    if collection != "events" and any(c.strip(", ") for c in categories):
        expected = "no category (places have none)"
        problems.append(QueryProblem.expecting("category", expected, ",".join(categories)))
        categories = ()
    text = QueryText(
        datetime=args.get("datetime"),
        categories=categories,
        bbox=args.get("bbox"),
        q=args.get("q"),
        limit=args.get("limit"),
        offset=args.get("offset"),
    )
    query = read_query(dataset.meta, text)
    _reject_any([*problems, *query.problems])
    return ItemsQuery(query.filter, query.limit, query.offset, "datetime" in args)


def _request_problems(
    args: MultiDict, allowed: tuple[str, ...], formats: tuple[str, ...], crs: tuple[str, ...]
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
    problems += [
        QueryProblem.expecting(name, f"{CRS84} (the only CRS served)", args[name])
        for name in crs
        if name in args and args[name].strip() not in CRS84_NAMES
    ]
    return problems


def _reject_any(problems: Sequence[QueryProblem]) -> None:
    if problems:
        raise rejected(problems)
