"""The box index answers what shapely's exact test answers, for every kind of shape.

Points are found by comparing coordinates, the other shapes through their own index; both
must agree with ``intersects`` on the edges of the box, across the antimeridian, and for
empty shapes.
"""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from almaty_map.geodata.bbox import BoxIndex, bbox_areas

coordinate = st.integers(-180, 180).map(float)
latitude = st.integers(-90, 90).map(float)
point = st.builds(shapely.Point, coordinate, latitude)
# Only shapes a dataset can hold: loading refuses an invalid one (a line of one point).
line = st.builds(lambda a, b: shapely.LineString([a.coords[0], b.coords[0]]), point, point).filter(
    shapely.is_valid
)
square = st.builds(
    lambda x, y, w: shapely.box(x, y, min(x + w, 180), min(y + w, 90)),
    coordinate,
    latitude,
    st.integers(1, 30),
)
shapes = st.lists(
    st.one_of(point, line, square, st.just(shapely.Point()), st.just(shapely.Polygon())),
    max_size=30,
)
boxes = st.tuples(coordinate, latitude, coordinate, latitude).map(
    lambda b: (b[0], min(b[1], b[3]), b[2], max(b[1], b[3]))
)


def box_shape(minx: float, miny: float, maxx: float, maxy: float) -> shapely.Geometry:
    """The points of the box as a shape: a point or a line when it has no width or height
    (GEOS finds nothing in a collapsed polygon)."""
    if (minx, miny) == (maxx, maxy):
        return shapely.Point(minx, miny)
    if minx == maxx or miny == maxy:
        return shapely.LineString([(minx, miny), (maxx, maxy)])
    return shapely.box(minx, miny, maxx, maxy)


def exact(found: list, bbox) -> np.ndarray:
    mask = np.zeros(len(found), dtype=bool)
    for area in bbox_areas(bbox):
        mask |= shapely.intersects(box_shape(*area), np.array(found, dtype=object))
    return mask


def test_a_line_through_a_box_of_no_size_is_in_it():
    """Found by the property below: a vertical line through a zero-size box."""
    found = [shapely.LineString([(0, -10), (0, 10)]), shapely.LineString([(1, -10), (1, 10)])]
    index = BoxIndex.of(np.array(found, dtype=object))
    assert index.within((0, 0, 0, 0)).tolist() == [True, False]
    assert exact(found, (0, 0, 0, 0)).tolist() == [True, False]


@settings(max_examples=300, deadline=None)
@given(shapes, boxes)
def test_the_index_agrees_with_the_exact_test(found, bbox):
    index = BoxIndex.of(np.array(found, dtype=object))
    assert index.within(bbox).tolist() == exact(found, bbox).tolist()


def test_points_on_the_edges_and_corners_are_inside():
    found = [shapely.Point(1, 1), shapely.Point(2, 1.5), shapely.Point(2.0000001, 1)]
    index = BoxIndex.of(np.array(found, dtype=object))
    assert index.within((1, 1, 2, 2)).tolist() == [True, True, False]


def test_a_box_across_the_antimeridian_finds_both_sides():
    found = [shapely.Point(179, 0), shapely.Point(-179, 0), shapely.Point(0, 0)]
    index = BoxIndex.of(np.array(found, dtype=object))
    assert index.within((170, -1, -170, 1)).tolist() == [True, True, False]
