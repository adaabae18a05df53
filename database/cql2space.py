"""CQL2's spatial predicates in SQL, on each event's shape as the files show it.

The literal is read by the files' own code (``literal_shape``: filter-crs moved to CRS84,
validity checked) and bound as WKB, so both sides test the very same coordinates with GEOS.
A sensitive event is tested at its coarsened point (``selection.shown_shape``), as the
files hold it; the others at their stored shape, on the GiST index. S_DWITHIN measures
metres as the files do: between two points on the ellipsoid (geography: GeographicLib's
geodesic, as pyproj's Geod), and otherwise in the azimuthal equidistant projection centred
on the literal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shapely
from geoalchemy2 import functions as gf
from pygeofilter import ast
from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)
from sqlalchemy.dialects import postgresql

from almaty_map.database.cql2strips import Box, IndexBoxes, strips, widened
from almaty_map.database.schema import SRID, events
from almaty_map.database.selection import shown_shape
from almaty_map.geodata.cql2spacetime import (
    METRES,
    box_around,
    equidistant_around,
    literal_shape,
)
from almaty_map.geodata.cql2table import FilterError
from almaty_map.geodata.model import SENSITIVE_GRID_DEG

# How far a coarsened point may lie from its shape's centroid, per axis (half a cell, and
# the rounding to six decimals, with room to spare).
COARSENED_WITHIN = SENSITIVE_GRID_DEG / 2 + 1e-5
Test = Callable[[ColumnElement], ColumnElement[bool]]
# Each relation of (first, second) as PostGIS names it; S_DISJOINT is NOT S_INTERSECTS.
RELATIONS = {
    ast.GeometryIntersects: gf.ST_Intersects,
    ast.GeometryContains: gf.ST_Contains,
    ast.GeometryWithin: gf.ST_Within,
    ast.GeometryTouches: gf.ST_Touches,
    ast.GeometryCrosses: gf.ST_Crosses,
    ast.GeometryOverlaps: gf.ST_Overlaps,
    ast.GeometryEquals: gf.ST_Equals,
}


def bound_shape(shape: shapely.Geometry) -> ColumnElement:
    """The literal, exactly (WKB, not decimal text), in the data's SRID."""
    return gf.ST_SetSRID(func.geometry(literal(shapely.to_wkb(shape, hex=True), Text)), SRID)


def spatial_sql(node: ast.Node, filter_crs: str) -> ColumnElement[bool]:
    """S_INTERSECTS and the other relations of the geometry and a literal, or BBOX."""
    node = _as_intersects(node)
    shape, swapped = _operands(node.lhs, node.rhs, filter_crs)
    literal = bound_shape(shape)
    if isinstance(node, ast.GeometryDisjoint):
        return not_(_on_shown(lambda g: gf.ST_Intersects(g, literal), shape.bounds))
    relation = RELATIONS[type(node)]
    boxes = strips(shape)
    if swapped:
        return _on_shown(lambda g: relation(literal, g), shape.bounds, boxes)
    return _on_shown(lambda g: relation(g, literal), shape.bounds, boxes)


def _as_intersects(node: object) -> object:
    """BBOX(geometry, ...) as the S_INTERSECTS of the geometry and that box; others as are."""
    if isinstance(node, ast.BBox):
        box = ast.Function("bbox", [node.minx, node.miny, node.maxx, node.maxy])
        return ast.GeometryIntersects(node.lhs, box)
    return node


def _operands(lhs: object, rhs: object, filter_crs: str) -> tuple[shapely.Geometry, bool]:
    """The literal in CRS84, and whether the property was written second."""
    for first, second, swapped in ((lhs, rhs, False), (rhs, lhs, True)):
        if isinstance(first, ast.Attribute) and first.name == "geometry":
            return literal_shape(second, filter_crs), swapped
    raise FilterError("a spatial predicate needs the geometry property on one side")


def _on_shown(test: Test, near: Box, boxes: Sequence[Box] | None = None) -> ColumnElement[bool]:
    """``test`` of each event's shown shape, for a test that holds only for shapes meeting
    the box ``near``: the stored shape for the events shown as they are, the coarsened point
    for sensitive ones. That point is the centre of the grid cell holding the centroid of
    the stored shape, so the stored shape's box comes within half a cell of it: a scan of
    the partial GiST index of sensitive events with the box widened by that finds theirs.
    Where the literal's strips (``cql2strips``) are more than its box, the stored shapes
    are first kept to those, on the index.

    The others' test brings its own box to the index (each relation's, or S_DWITHIN's), and
    only it: with the widened box beside it for all events the planner took the two for
    independent restrictions, expected a fifth of a polygon's events and sorted all 16,000
    of a place and days for the first 100 (220 ms) where the start index gives them in 8."""
    minx, miny, maxx, maxy = near
    box = gf.ST_Expand(gf.ST_MakeEnvelope(minx, miny, maxx, maxy, SRID), COARSENED_WITHIN)
    shown = [not_(events.c.sensitive)]
    if boxes is not None and len(boxes) > 1:
        shown.append(or_(*(events.c.geom.op("&&")(gf.ST_MakeEnvelope(*b, SRID)) for b in boxes)))
    return or_(
        and_(*shown, test(events.c.geom)),
        and_(events.c.sensitive, events.c.geom.op("&&")(box), test(shown_shape())),
    )


# How far a distance on PostGIS' sphere may be from the geodesic on the ellipsoid (measured
# with pyproj over 200,000 random pairs, 1 m to 3,000 km apart, anywhere: 0.9955 to
# 1.0056 times it), with room to spare; and the longest distance that holds for.
_SPHERE_MARGIN = 0.01
_SPHERE_TRUSTED_UP_TO = 1_000_000.0


def _geodesic_within(a: ColumnElement, b: ColumnElement, metres: float) -> ColumnElement[bool]:
    """Points within ``metres`` on the ellipsoid, as ST_DWithin says. The ellipsoid's
    geodesic costs a point 2.7 µs, the sphere's distance 1.2 µs, and at a million events a
    circle's box holds 9,000 of them (a page's 24 ms): the sphere decides every point more
    than a hundredth of the distance from the circle's edge, and the ellipsoid the rest."""
    exact = gf.ST_DWithin(a, b, metres)
    if not 0 < metres <= _SPHERE_TRUSTED_UP_TO:  # at 0 both edges are 0: the point itself
        return exact
    edges = postgresql.array([metres * (1 - _SPHERE_MARGIN), metres * (1 + _SPHERE_MARGIN)])
    # 0 nearer than the inner edge, 2 past the outer, 1 between: one distance, tested once.
    band = func.width_bucket(gf.ST_Distance(a, b, False), edges)
    return case({0: true(), 2: false()}, value=band, else_=exact)


def dwithin_sql(node: ast.Function, filter_crs: str, metres: float) -> ColumnElement[bool]:
    """S_DWITHIN: shapes within ``metres`` of the literal (read and checked by the files'
    code, as is ``metres``), each first kept to the generous box the files use too."""
    lhs, rhs = node.arguments[:2]
    shape, _ = _operands(lhs, rhs, filter_crs)
    literal = bound_shape(shape)
    box = gf.ST_MakeEnvelope(*box_around(shape, metres), SRID)
    projection = equidistant_around(shape)

    def planar(g: ColumnElement) -> ColumnElement[bool]:
        moved = gf.ST_Transform(literal, projection)
        return gf.ST_DWithin(gf.ST_Transform(g, projection), moved, metres)

    def within(g: ColumnElement) -> ColumnElement[bool]:
        if not isinstance(shape, shapely.Point):
            return and_(g.op("&&")(box), planar(g))
        geodesic = _geodesic_within(func.geography(g), func.geography(literal), metres)
        point = gf.ST_GeometryType(g) == "ST_Point"
        # A CASE, not (point AND ...) OR (NOT point AND ...): the planner guesses an
        # equality on an expression keeps one row in 200, and would plan for almost none.
        return and_(g.op("&&")(box), case((point, geodesic), else_=planar(g)))

    return _on_shown(within, box_around(shape, metres))


def index_boxes(node: object, filter_crs: str) -> IndexBoxes | None:
    """The boxes a top-level spatial part of a filter brings to the indexes (its literal's
    strips or S_DWITHIN's box; and, for the walk, that box widened by how far a sensitive
    event's shown point may lie from its shape); None for a part that brings none
    (S_DISJOINT, anything not spatial)."""
    node = _as_intersects(node)
    if isinstance(node, ast.Function) and node.name == "s_dwithin":
        shape, _ = _operands(*node.arguments[:2], filter_crs)
        if shape.is_empty:  # near nothing: no box
            return None
        near = box_around(shape, dwithin_metres(node))
        return IndexBoxes([near], widened(near, COARSENED_WITHIN))
    if type(node) in RELATIONS:
        shape = _operands(node.lhs, node.rhs, filter_crs)[0]
        if shape.is_empty:
            return None
        return IndexBoxes(strips(shape), widened(shape.bounds, COARSENED_WITHIN))
    return None


def dwithin_metres(node: ast.Function) -> float:
    """S_DWITHIN's distance in metres (its arguments were checked when the filter was read)."""
    _, _, distance, units = node.arguments
    unit = units.name if isinstance(units, ast.Attribute) else units
    return float(distance) * METRES[str(unit).lower()]
