"""The boxes a spatial literal brings to the indexes: to the GiST index, its own box cut
into strips; to the walk in time order, its box.

The index finds the events whose box meets the literal's box, and each of them is then
read from the table (a page each: the table is in file order) and tested exactly. A
triangle fills half its box and a diagonal line almost none of it, so most of those reads
found nothing: on the synthetic million a triangle over four days gathered 7,208 events to
keep 2,027 (41 ms). Cut into horizontal strips, each the box of the literal's part within
it, the boxes hug the shape: the same triangle gathers about 2,300 events (7 ms).

Every event the exact test keeps meets a strip: a point shared by the event and the
literal lies in some strip's band, and that strip's box holds the literal's part there,
that point included. A polygon is the closure of its inside, so even a point on a band's edge is
a limit of the literal's inside in one of the two bands, and lies in that band's box. The
strips are widened by far more than the rounding of the cut.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import shapely

Box = tuple[float, float, float, float]


class IndexBoxes(NamedTuple):
    """The boxes a spatial part of a filter brings to the indexes; every event it keeps
    meets one of ``gathered`` and has a stored shape whose box meets ``walked``."""

    gathered: Sequence[Box]  # to the GiST index
    walked: Box | None  # to the walk indexes' last columns (None: no one box holds it)


# Bands across the literal's height. Eight took the triangle's gather from 7,208 events to
# about 2,300 (19 → 7 ms); sixteen gained another 0.3 ms and doubled the index descents.
BANDS = 8
# Strips are worth their index descents only when they hold this much less than the box.
WORTHWHILE = 0.8
# The lowest band cut (1 cm): a cut of bands near the coordinates' own resolution (1e-14°)
# could lose a part of the polygon to rounding.
LOWEST_BAND = 1e-7
# Degrees each strip is widened by (0.1 mm): a cut rounds in its last bits, 1e-15°; the
# index compares boxes rounded outward to single precision, 1e-5° here, looser still.
MARGIN = 1e-9


def strips(shape: shapely.Geometry) -> tuple[Box, ...]:
    """As ``cut_into_strips``, once per literal: a request asks for its filter's strips
    to write its SQL, to size it by the sample and to walk it (0.2 ms a triangle)."""
    return _strips_of(shapely.to_wkb(shape))


@functools.lru_cache(maxsize=64)  # filters are at most 4,000 characters: a few kB each
def _strips_of(wkb: bytes) -> tuple[Box, ...]:
    return tuple(cut_into_strips(shapely.from_wkb(wkb)))


def cut_into_strips(shape: shapely.Geometry) -> list[Box]:
    """The boxes covering a polygon's shape band by band; its own box alone for any other
    shape (a line's points on a band's edge have no inside to stand for them), for a
    polygon that fills its box, one too flat to cut or too tall to measure (1e308° high),
    and an empty one."""
    minx, miny, maxx, maxy = shape.bounds
    whole = [(minx, miny, maxx, maxy)]
    height = maxy - miny
    too_flat = not height >= BANDS * LOWEST_BAND or not maxx > minx  # NaN when empty
    if shape.geom_type not in ("Polygon", "MultiPolygon") or too_flat or math.isinf(height):
        return whole
    edges = [miny + (maxy - miny) * i / BANDS for i in range(BANDS)] + [maxy]
    cut: list[Box] = []
    for low, high in itertools.pairwise(edges):
        try:
            part = shapely.intersection(shape, shapely.box(minx, low, maxx, high))
        except shapely.errors.GEOSException:  # a shape GEOS cannot cut: its box will do
            return whole
        if part.is_empty:
            continue
        x0, y0, x1, y1 = part.bounds
        cut.append((x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN))
    covered = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in cut)
    if not cut or covered > WORTHWHILE * (maxx - minx) * (maxy - miny):
        return whole
    return cut


def widened(box: Box, by: float) -> Box:
    minx, miny, maxx, maxy = box
    return (minx - by, miny - by, maxx + by, maxy + by)
