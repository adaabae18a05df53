"""Selecting events by time, category, area and text.

One EventFilter is built from what a person typed (CLI options, the reader's form, API
parameters) by ``make_filter``, which names the parameter that is wrong. ``select`` then uses
the sorted start times (binary search) and the GeoPandas spatial index, so a query costs far
less than a scan of every event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from almaty_map.geodata.bbox import BBox, within_bbox
from almaty_map.geodata.timeparse import BOUND_EXPECTED, TimeValueError, parse_bound

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset

MAX_TEXT_QUERY = 200
BBOX_EXPECTED = "four numbers min_lon,min_lat,max_lon,max_lat in WGS84"


class FilterError(ValueError):
    """A filter value is wrong; ``param`` names it and the message says what was expected."""

    def __init__(self, param: str, message: str):
        self.param = param
        self.message = message
        super().__init__(f"{param}: {message}")


@dataclass(frozen=True)
class EventFilter:
    """What to keep. Times are a half-open interval [start, end); None means open."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    categories: tuple[str, ...] | None = None
    bbox: BBox | None = None
    text: str | None = None


def make_filter(
    dataset: Dataset,
    start: str | None = None,
    end: str | None = None,
    categories: list[str] | None = None,
    bbox: str | None = None,
    text: str | None = None,
) -> EventFilter:
    """Build a filter from user text; raise FilterError naming the first bad parameter."""
    tz = dataset.meta.tz
    lo = _bound(start, tz, "start")
    hi = _bound(end, tz, "end")
    if lo is not None and hi is not None and _bound(end, tz, "start") < lo:
        raise FilterError("end", f"must not be before start ({start}), got {end!r}")
    return EventFilter(
        start=lo,
        end=hi,
        categories=_categories(dataset, categories),
        bbox=parse_bbox(bbox, "bbox") if bbox else None,
        text=_text(text),
    )


def _bound(value: str | None, tz, side: str) -> pd.Timestamp | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_bound(value, tz, side)
    except TimeValueError as exc:
        raise FilterError(side, f"expected {BOUND_EXPECTED}, got {value[:80]!r}") from exc


def _categories(dataset: Dataset, values: list[str] | None) -> tuple[str, ...] | None:
    """Categories may be repeated or comma-separated; unknown ones are an error, not ignored."""
    if not values:
        return None
    wanted = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if not wanted:
        return None
    known = dataset.meta.category_ids
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise FilterError(
            "category", f"expected one of {', '.join(known)}, got {unknown[0][:80]!r}"
        )
    return tuple(sorted(set(wanted), key=known.index))


def _text(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT_QUERY:
        raise FilterError("q", f"expected at most {MAX_TEXT_QUERY} characters, got {len(value)}")
    return value.strip()


def parse_bbox(value: str, param: str = "bbox") -> BBox:
    """Read "minx,miny,maxx,maxy". minx > maxx means the box crosses the antimeridian,
    as in OGC API - Features; miny > maxy is an error."""
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise FilterError(param, f"expected {BBOX_EXPECTED}, got {value[:80]!r}") from None
    if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
        raise FilterError(param, f"expected {BBOX_EXPECTED}, got {value[:80]!r}")
    minx, miny, maxx, maxy = numbers
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise FilterError(
            param,
            f"expected longitudes in [-180, 180] and latitudes in [-90, 90], got {value[:80]!r}",
        )
    if miny > maxy:
        raise FilterError(param, f"expected min_lat <= max_lat, got {value[:80]!r}")
    return minx, miny, maxx, maxy


def select(dataset: Dataset, flt: EventFilter) -> np.ndarray:
    """Positions (in chronological order) of the events that pass the filter."""
    n = len(dataset.events)
    keep = np.ones(n, dtype=bool)
    if flt.start is not None or flt.end is not None:
        keep &= _time_mask(dataset, flt.start, flt.end)
    if flt.categories is not None:
        codes = [dataset.meta.category_ids.index(c) for c in flt.categories]
        keep &= np.isin(dataset.events["category"].cat.codes.to_numpy(), codes)
    if flt.bbox is not None:
        keep &= within_bbox(dataset.events, flt.bbox)
    if flt.text is not None:
        keep &= _text_mask(dataset, flt.text)
    return np.flatnonzero(keep)


def _time_mask(dataset: Dataset, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> np.ndarray:
    """Events overlapping [lo, hi): start < hi (binary search on sorted starts), end > lo."""
    starts, ends = dataset.start_ns, dataset.end_ns
    mask = np.zeros(len(starts), dtype=bool)
    stop = len(starts) if hi is None else int(np.searchsorted(starts, hi.value, side="left"))
    if lo is None:
        mask[:stop] = True
        return mask
    begin = int(np.searchsorted(starts, lo.value - dataset.longest_ns, side="left"))
    mask[begin:stop] = ends[begin:stop] > lo.value
    return mask


def _text_mask(dataset: Dataset, text: str) -> np.ndarray:
    return dataset.search_text.str.contains(text.casefold(), regex=False).to_numpy()
