"""Selecting by a bounding box (min_lon, min_lat, max_lon, max_lat).

As in OGC API - Features, min_lon > max_lon is a box across the antimeridian. It is split in
two here, once, so events and places are selected by the same rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

BBox = tuple[float, float, float, float]


def bbox_areas(bbox: BBox) -> list[shapely.Polygon]:
    """One box, or two when it crosses the antimeridian (one each side of it)."""
    minx, miny, maxx, maxy = bbox
    if minx <= maxx:
        return [shapely.box(minx, miny, maxx, maxy)]
    return [shapely.box(minx, miny, 180, maxy), shapely.box(-180, miny, maxx, maxy)]


def within_bbox(frame: gpd.GeoDataFrame, bbox: BBox) -> np.ndarray:
    """A mask of the rows whose geometry meets the box, found through the spatial index."""
    mask = np.zeros(len(frame), dtype=bool)
    for area in bbox_areas(bbox):
        mask[frame.sindex.query(area, predicate="intersects")] = True
    return mask
