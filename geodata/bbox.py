"""The bounding box of a query: read from "min_lon,min_lat,max_lon,max_lat", and selected by.

As in OGC API - Features, min_lon > max_lon is a box across the antimeridian. It is split in
two here, once, so events and places are selected by the same rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from almaty_map.geodata.errors import QueryProblem, shorten

BBox = tuple[float, float, float, float]
BBOX_EXPECTED = "four numbers min_lon,min_lat,max_lon,max_lat in WGS84"
CORNERS = ("min_lon", "min_lat", "max_lon", "max_lat")
LONGITUDES = "a longitude in [-180, 180]"
LATITUDES = "a latitude in [-90, 90]"


def read_bbox(text: str, parameter: str = "bbox") -> tuple[BBox | None, list[QueryProblem]]:
    """The box, or None and every problem with it (each number is checked on its own, so
    a box with two bad corners names both)."""
    found = shorten(text)
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4:
        count = f"{len(parts)} value{'s' if len(parts) != 1 else ''}"
        message = f"expected {BBOX_EXPECTED}, got {count}: {found}"
        return None, [QueryProblem(parameter, BBOX_EXPECTED, found, message)]
    faults = [_corner_fault(corner, part) for corner, part in zip(CORNERS, parts, strict=True)]
    problems = [QueryProblem(parameter, fault[0], found, fault[1]) for fault in faults if fault]
    if problems:
        return None, problems
    minx, miny, maxx, maxy = (float(part) for part in parts)
    if miny > maxy:
        message = (
            f"min_lat {_typed(parts[1])} is greater than max_lat {_typed(parts[3])}; "
            "expected min_lat <= max_lat (only longitudes wrap, across the antimeridian)"
        )
        return None, [QueryProblem(parameter, "min_lat <= max_lat", found, message)]
    return (minx, miny, maxx, maxy), []


def _corner_fault(corner: str, part: str) -> tuple[str, str] | None:
    """(expected, message) for one number of the box, or None when it is fine."""
    try:
        value = float(part)
    except ValueError:
        return BBOX_EXPECTED, f"{corner} {shorten(part)} is not a number; expected {BBOX_EXPECTED}"
    if not math.isfinite(value):
        return (
            BBOX_EXPECTED,
            f"{corner} {_typed(part)} is not a finite number; expected {BBOX_EXPECTED}",
        )
    if corner.endswith("lon") and not -180 <= value <= 180:
        return LONGITUDES, f"longitude {_typed(part)} ({corner}) is out of range [-180, 180]"
    if corner.endswith("lat") and not -90 <= value <= 90:
        return LATITUDES, f"latitude {_typed(part)} ({corner}) is out of range [-90, 90]"
    return None


def _typed(number: str) -> str:
    """A number as the person typed it (200, not 200.0), cut short if it is very long."""
    return number if len(number) <= 24 else number[:23] + "…"


def bbox_areas(bbox: BBox) -> list[BBox]:
    """One box, or two when it crosses the antimeridian (one each side of it)."""
    minx, miny, maxx, maxy = bbox
    if minx <= maxx:
        return [bbox]
    return [(minx, miny, 180, maxy), (-180, miny, maxx, maxy)]


@dataclass(frozen=True, eq=False)
class BoxIndex:
    """What a box query needs of a layer's shapes, made once per dataset.

    Most events are points, and a point meets an axis-aligned box exactly when its
    coordinates lie within the box's bounds (edges included, as shapely's ``intersects``
    has it): four comparisons over plain arrays, where the spatial index's exact test
    costs a hundred times more for a box holding tens of thousands of points. The other
    shapes keep an index of their own and are tested exactly.
    """

    x: np.ndarray  # of each point; NaN for the other shapes, so no comparison holds
    y: np.ndarray
    others: np.ndarray  # positions of the shapes that are not points
    tree: shapely.STRtree  # of those shapes, in that order

    @classmethod
    def of(cls, shapes: np.ndarray) -> BoxIndex:
        shapes = np.asarray(shapes, dtype=object)
        points = (shapely.get_type_id(shapes) == shapely.GeometryType.POINT) & ~shapely.is_empty(
            shapes
        )
        x = np.full(len(shapes), np.nan)
        y = np.full(len(shapes), np.nan)
        x[points] = shapely.get_x(shapes[points])
        y[points] = shapely.get_y(shapes[points])
        others = np.flatnonzero(~points)
        return cls(x, y, others, shapely.STRtree(shapes[others]))

    def within(self, bbox: BBox) -> np.ndarray:
        """A mask of the shapes that meet the box (across the antimeridian if it wraps)."""
        mask = np.zeros(len(self.x), dtype=bool)
        for minx, miny, maxx, maxy in bbox_areas(bbox):
            mask |= (self.x >= minx) & (self.x <= maxx) & (self.y >= miny) & (self.y <= maxy)
            if len(self.others):
                found = self.tree.query(shapely.box(minx, miny, maxx, maxy), "intersects")
                mask[self.others[found]] = True
        return mask
