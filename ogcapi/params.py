"""Reading the query parameters of the items endpoint, strictly.

OGC API - Features asks for 400 on an unknown parameter and on an invalid value; each error
names the parameter and says what was expected. Dates and intervals mean what they mean on
the reader's page: a bare date is a whole day in the dataset's timezone, and an event is
kept when its time span overlaps the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from werkzeug.datastructures import MultiDict

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import (
    BBOX_EXPECTED,
    MAX_TEXT_QUERY,
    EventFilter,
    FilterError,
    parse_bbox,
)
from almaty_map.geodata.timeparse import TimeValueError, parse_bound
from almaty_map.ogcapi.errors import ApiError, invalid

COLLECTIONS = ("events", "places")
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9
FORMATS = ("json", "html", "csv")
ITEMS_PARAMS = ("f", "bbox", "datetime", "limit", "offset", "category", "q", "crs", "bbox-crs")
ITEM_PARAMS = ("f", "crs")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# Clients that speak Part 2 (GDAL, QGIS) name the CRS they want; this API serves one.
CRS84_NAMES = (CRS84, "https://www.opengis.net/def/crs/OGC/1.3/CRS84", "[OGC:CRS84]", "OGC:CRS84")
DATETIME_EXPECTED = (
    "an instant or a date, or an interval a/b with '..' for an open end "
    "(e.g. 2022-01-06/2022-01-07 or 2022-01-06T18:00:00+06:00/..)"
)


@dataclass(frozen=True)
class ItemsQuery:
    filter: EventFilter
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    has_datetime: bool = False


def check_known(args: MultiDict, allowed: tuple[str, ...]) -> None:
    for name in args:
        if name not in allowed:
            raise ApiError(
                400,
                "InvalidParameterValue",
                f"unknown parameter '{name[:40]}'; this endpoint takes " + ", ".join(allowed),
                name[:40],
                ", ".join(allowed),
            )


def parse_format(args: MultiDict, allowed: tuple[str, ...] = FORMATS) -> str | None:
    value = args.get("f")
    if value is None:
        return None
    if value not in allowed:
        raise invalid("f", " | ".join(allowed), value)
    return value


def _integer(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    text = args.get(name)
    if text is None:
        return default
    expected = f"an integer from {low:,} to {high:,}".replace(",", "")
    try:
        value = int(text.strip())
    except ValueError:
        raise invalid(name, expected, text) from None
    if not low <= value <= high:
        raise invalid(name, expected, text)
    return value


def parse_datetime(text: str, tz) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """An instant, a date, or an interval; returns the half-open [lo, hi) it stands for."""
    parts = text.split("/")
    try:
        if len(parts) == 1:
            if text.strip() in {"", ".."}:
                raise invalid("datetime", DATETIME_EXPECTED, text)
            return parse_bound(text, tz, "start"), parse_bound(text, tz, "end")
        if len(parts) != 2:
            raise invalid("datetime", DATETIME_EXPECTED, text)
        lo = None if parts[0].strip() in {"", ".."} else parse_bound(parts[0], tz, "start")
        hi = None if parts[1].strip() in {"", ".."} else parse_bound(parts[1], tz, "end")
    except TimeValueError:
        raise invalid("datetime", DATETIME_EXPECTED, text) from None
    if lo is not None and hi is not None and parse_bound(parts[1], tz, "start") < lo:
        raise invalid("datetime", "an interval whose start is not after its end", text)
    return lo, hi


def _categories(args: MultiDict, dataset: Dataset, collection: str) -> tuple[str, ...] | None:
    values = [v.strip() for raw in args.getlist("category") for v in raw.split(",") if v.strip()]
    if not values:
        return None
    if collection != "events":
        raise invalid("category", "no category (places have none)", ",".join(values))
    known = dataset.meta.category_ids
    for value in values:
        if value not in known:
            raise invalid("category", "one of " + ", ".join(known), value)
    return tuple(sorted(set(values), key=known.index))


def check_crs(args: MultiDict, names: tuple[str, ...] = ("crs", "bbox-crs")) -> None:
    for name in names:
        if name in args and args[name].strip() not in CRS84_NAMES:
            raise invalid(name, f"{CRS84} (the only CRS served)", args[name])


def parse_items_query(args: MultiDict, dataset: Dataset, collection: str) -> ItemsQuery:
    """Validate every parameter of an items request; raise ApiError(400) on the first bad
    one."""
    check_known(args, ITEMS_PARAMS)
    parse_format(args)
    check_crs(args)
    limit = _integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer(args, "offset", 0, 0, MAX_OFFSET)
    bbox = None
    if "bbox" in args:
        try:
            bbox = parse_bbox(args["bbox"], "bbox")
        except FilterError:
            raise invalid("bbox", BBOX_EXPECTED + " (min_lat <= max_lat)", args["bbox"]) from None
    lo = hi = None
    if "datetime" in args:
        lo, hi = parse_datetime(args["datetime"], dataset.meta.tz)
    text = args.get("q", "").strip() or None
    if text and len(text) > MAX_TEXT_QUERY:
        raise invalid("q", f"at most {MAX_TEXT_QUERY} characters", text)
    flt = EventFilter(
        start=lo, end=hi, categories=_categories(args, dataset, collection), bbox=bbox, text=text
    )
    return ItemsQuery(flt, limit, offset, "datetime" in args)
