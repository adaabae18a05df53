"""The strips a polygon brings to the GiST index cover every point of it, edges and
corners included, and hold less than its box; other shapes bring their box alone."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from almaty_map.database.cql2strips import BANDS, strips

TRIANGLE = shapely.Polygon([(76.90, 43.22), (76.96, 43.22), (76.93, 43.27)])


def _covered(points: np.ndarray, boxes: list) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    held = np.zeros(len(points), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        held |= (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    return held


def _points_of(shape: shapely.Geometry, rng: np.random.Generator) -> np.ndarray:
    """Its vertices, points along its edges (where bands cut them too) and inside it."""
    boundary = shapely.get_coordinates(shape.boundary)
    along = [
        shapely.get_coordinates(shapely.line_interpolate_point(ring, t, normalized=True))
        for ring in shapely.get_parts(shape.boundary)
        for t in np.linspace(0, 1, 257)
    ]
    minx, miny, maxx, maxy = shape.bounds
    bands = np.linspace(miny, maxy, BANDS + 1)
    cuts = [
        shapely.get_coordinates(
            shapely.intersection(shape.boundary, shapely.LineString([(minx - 1, y), (maxx + 1, y)]))
        )
        for y in bands
    ]
    inside = rng.uniform((minx, miny), (maxx, maxy), size=(4000, 2))
    inside = inside[shapely.contains_xy(shape, inside[:, 0], inside[:, 1])]
    return np.concatenate([boundary, *along, *cuts, inside])


def test_a_triangle_is_cut_into_eight_strips_that_cover_it():
    boxes = strips(TRIANGLE)
    assert len(boxes) == BANDS
    points = _points_of(TRIANGLE, np.random.default_rng(1))
    assert _covered(points, boxes).all()
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes)
    assert area < 0.6 * shapely.box(*TRIANGLE.bounds).area
    # And only its strips: a point of its box beside its slope is in none.
    assert not _covered(np.array([[76.955, 43.26]]), boxes).any()


def test_parts_far_apart_bring_only_the_bands_they_cross():
    parts = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(9, 9, 10, 10)])
    boxes = strips(parts)
    assert 2 <= len(boxes) < BANDS
    assert _covered(_points_of(parts, np.random.default_rng(2)), boxes).all()
    assert not _covered(np.array([[5.0, 5.0]]), boxes).any()


def test_a_shape_that_is_not_a_polygon_or_fills_its_box_brings_its_box():
    for shape in (
        shapely.box(76.9, 43.2, 77.0, 43.3),
        shapely.Point(76.9, 43.2),
        shapely.LineString([(76.9, 43.2), (77.0, 43.3)]),
        shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0.5), (0.5, 0.5), (0.5, 0)]),
        # Too flat for its bands to be cut reliably (1e-12 degrees high).
        shapely.Polygon([(76.9, 43.2), (77.0, 43.2 + 1e-12), (76.9, 43.2 + 2e-12)]),
    ):
        assert strips(shape) == (shape.bounds,)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-180, 180), st.floats(-80, 80)), min_size=3, max_size=12, unique=True
    ),
    st.integers(0, 2**32 - 1),
)
def test_any_polygon_s_strips_cover_it(corners, seed):
    shape = shapely.make_valid(shapely.Polygon(corners).buffer(0))
    shape = shapely.MultiPolygon(
        [part for part in shapely.get_parts(shape) if part.geom_type == "Polygon"]
    )
    if shape.is_empty or shape.area == 0:
        return
    boxes = strips(shape)
    assert _covered(_points_of(shape, np.random.default_rng(seed)), boxes).all()
