"""CQL2's spatial and temporal predicates, over whole columns.

Spatial literals are read in ``filter-crs`` (CRS84 by default) and moved into CRS84, where
the data is. S_DWITHIN measures metres on the ellipsoid: the candidates a spatial index
finds near the literal are projected, with it, into an azimuthal equidistant projection
centred on it, where distances from it are true. Temporal predicates compare half-open
[start, end) spans in nanoseconds, as every time comparison here does (``intervals``).
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely
from pygeofilter import ast, values
from pyproj import CRS, Geod, Transformer

from almaty_map.geodata.cql2table import (
    FilterError,
    Span,
    Table,
    Truth,
    attribute,
    describe,
    known_truth,
)
from almaty_map.geodata.crs import CRS84, transform
from almaty_map.geodata.timeparse import TimeValueError, parse_bound

OPEN_LO, OPEN_HI = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
METRES = {"meters": 1.0, "metres": 1.0, "m": 1.0, "kilometers": 1000.0, "km": 1000.0}
# Metres in a degree of latitude, less a margin: the spatial index's box is never too small.
METRES_PER_DEGREE = 110_000.0
SPATIAL = {
    ast.GeometryIntersects: shapely.intersects,
    ast.GeometryDisjoint: shapely.disjoint,
    ast.GeometryContains: shapely.contains,
    ast.GeometryWithin: shapely.within,
    ast.GeometryTouches: shapely.touches,
    ast.GeometryCrosses: shapely.crosses,
    ast.GeometryOverlaps: shapely.overlaps,
    ast.GeometryEquals: shapely.equals,
}
# The spatial index's predicate(literal, feature) for each feature-first relation, and for
# the literal-first ones that read the other way.
INDEX_NAMES = {
    ast.GeometryIntersects: "intersects",
    ast.GeometryTouches: "touches",
    ast.GeometryCrosses: "crosses",
    ast.GeometryOverlaps: "overlaps",
}
CONVERSE = {ast.GeometryWithin: "contains", ast.GeometryContains: "within"}
SAME = {ast.GeometryWithin: "within", ast.GeometryContains: "contains"}
GEOD = Geod(ellps="WGS84")
# Up to this many lines and areas are tested one by one rather than through the index.
DIRECT_SHAPES = 5000
# The local scale is used within these (beyond them every distance is geodesic).
LOCAL_LATITUDE, LOCAL_METRES = 70.0, 100_000.0
STEP = 1e-3  # degrees, over which the local scale is measured
EARTH_RADIUS = 6_356_000.0  # metres, the smallest radius of the ellipsoid
# Allen's relations of A = [s, e) to B = [bs, be), as CQL2 defines them.
TEMPORAL = {
    "t_after": lambda s, e, bs, be: s >= be,
    "t_before": lambda s, e, bs, be: e <= bs,
    "t_meets": lambda s, e, bs, be: e == bs,
    "t_metby": lambda s, e, bs, be: s == be,
    "t_overlaps": lambda s, e, bs, be: (s < bs) & (bs < e) & (e < be),
    "t_overlappedby": lambda s, e, bs, be: (bs < s) & (s < be) & (be < e),
    "t_starts": lambda s, e, bs, be: (s == bs) & (e < be),
    "t_startedby": lambda s, e, bs, be: (s == bs) & (e > be),
    "t_during": lambda s, e, bs, be: (bs < s) & (e < be),
    "t_contains": lambda s, e, bs, be: (s < bs) & (be < e),
    "t_finishes": lambda s, e, bs, be: (bs < s) & (e == be),
    "t_finishedby": lambda s, e, bs, be: (s < bs) & (e == be),
    "t_equals": lambda s, e, bs, be: (s == bs) & (e == be),
    "t_intersects": lambda s, e, bs, be: (s < be) & (bs < e),
    "t_disjoint": lambda s, e, bs, be: (e <= bs) | (s >= be),
}


def _literal_geometry(node: object, table: Table) -> shapely.Geometry:
    return literal_shape(node, table.filter_crs)


def literal_shape(node: object, filter_crs: str) -> shapely.Geometry:
    """A geometry written in the filter, in CRS84. BBOX and a JSON bbox are minx, miny,
    maxx, maxy in filter-crs's axis order."""
    if isinstance(node, values.Geometry):
        try:
            shape = shapely.geometry.shape(node.geometry)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            raise FilterError(f"not a geometry: {str(error)[:120]}") from error
    elif isinstance(node, values.Envelope):
        shape = shapely.box(node.x1, node.x2, node.y1, node.y2)
    elif isinstance(node, ast.Function) and node.name == "bbox" and len(node.arguments) == 4:
        shape = shapely.box(*node.arguments)
    else:
        raise FilterError(f"expected a geometry (WKT, GeoJSON or BBOX), got {describe(node)}")
    if not shape.is_valid:
        raise FilterError(f"the geometry {shape.wkt[:80]} is not valid")
    moved = transform(np.array([shape], dtype=object), filter_crs, CRS84)[0]
    if not moved.is_valid:  # GEOS's answers on it would be undefined, PostGIS's an error
        raise FilterError(
            f"the geometry {shape.wkt[:80]} is not valid once moved to longitude and "
            "latitude (a shape crossing the antimeridian there: split it in two)"
        )
    shapely.prepare(moved)
    return moved


def _geometry_operands(lhs: object, rhs: object, table: Table) -> tuple[shapely.Geometry, bool]:
    """The literal, and whether the property was written second."""
    for first, second, swapped in ((lhs, rhs, False), (rhs, lhs, True)):
        if isinstance(first, ast.Attribute):
            if attribute(first, table).kind != "geometry":
                raise FilterError(f"property {first.name!r} is not a geometry")
            return _literal_geometry(second, table), swapped
    raise FilterError("a spatial predicate needs the geometry property on one side")


def spatial(node: ast.Node, table: Table) -> Truth:
    """A spatial function, answered by the spatial index where it has the predicate."""
    if isinstance(node, ast.BBox):
        box = ast.Function("bbox", [node.minx, node.miny, node.maxx, node.maxy])
        node = ast.GeometryIntersects(node.lhs, box)
    literal, swapped = _geometry_operands(node.lhs, node.rhs, table)
    kind = type(node)
    if kind in (ast.GeometryIntersects, ast.GeometryDisjoint):
        held = _intersecting(literal, table)
        return (~held, held) if kind is ast.GeometryDisjoint else (held, ~held)
    held = np.zeros(table.size, dtype=bool)
    if kind is ast.GeometryEquals:
        near = table.query(literal, "intersects")
        held[near[shapely.equals(table.geometries()[near], literal)]] = True
        return held, ~held
    # The index tests predicate(literal, feature): the converse of feature-first relations.
    names = SAME if swapped else CONVERSE
    held[table.query(literal, names[kind] if kind in names else INDEX_NAMES[kind])] = True
    return held, ~held


def _intersecting(literal: shapely.Geometry, table: Table) -> np.ndarray:
    """Features that intersect the literal: points (most events) by their coordinates,
    the others through the spatial index."""
    bounds = table.bounds()
    minx, miny, maxx, maxy = literal.bounds
    point = (bounds[:, 0] == bounds[:, 2]) & (bounds[:, 1] == bounds[:, 3])
    near = (bounds[:, 0] >= minx) & (bounds[:, 0] <= maxx)
    near &= (bounds[:, 1] >= miny) & (bounds[:, 1] <= maxy) & point
    held = np.zeros(table.size, dtype=bool)
    at = np.flatnonzero(near)
    held[at] = shapely.intersects_xy(literal, bounds[at, 0], bounds[at, 1])
    shapes = np.flatnonzero(~point)
    if len(shapes) > DIRECT_SHAPES:  # many: let the index find them (with the points)
        shapes = table.query(literal, "intersects")
        held[shapes[~point[shapes]]] = True
    else:
        held[shapes] = shapely.intersects(table.geometries()[shapes], literal)
    return held


def dwithin(node: ast.Function, table: Table) -> Truth:
    """Features within a distance in metres of a geometry, on the ellipsoid."""
    literal, metres = _distance_arguments(node, table)
    bounds = table.bounds()
    minx, miny, maxx, maxy = box_around(literal, metres)
    near = (bounds[:, 2] >= minx) & (bounds[:, 0] <= maxx)
    near &= (bounds[:, 3] >= miny) & (bounds[:, 1] <= maxy)
    held = np.zeros(table.size, dtype=bool)
    point = (bounds[:, 0] == bounds[:, 2]) & (bounds[:, 1] == bounds[:, 3])
    if isinstance(literal, shapely.Point):
        at = np.flatnonzero(near & point)
        inside, unsure = point_distances(bounds[at, 0], bounds[at, 1], literal, metres)
        held[at[inside]] = True
        at = at[unsure]
        x, y = bounds[at, 0], bounds[at, 1]
        held[at] = (
            GEOD.inv(np.full(len(at), literal.x), np.full(len(at), literal.y), x, y)[2] <= metres
        )
        near &= ~point
    shapes = np.flatnonzero(near)
    if len(shapes):
        held[shapes] = _projected_dwithin(table.geometries()[shapes], literal, metres)
    return held, ~held


def _distance_arguments(node: ast.Function, table: Table) -> tuple[shapely.Geometry, float]:
    if len(node.arguments) != 4:
        raise FilterError("S_DWITHIN takes (geometry, a geometry, a distance, units)")
    lhs, rhs, distance, units = node.arguments
    literal, _ = _geometry_operands(lhs, rhs, table)
    unit = units.name if isinstance(units, ast.Attribute) else units
    if not isinstance(distance, int | float) or isinstance(distance, bool) or distance < 0:
        raise FilterError(f"S_DWITHIN's distance must be a number >= 0, got {distance!r}")
    if not isinstance(unit, str) or unit.lower() not in METRES:
        raise FilterError(f"S_DWITHIN's units must be one of {', '.join(METRES)}, got {unit!r}")
    metres = float(distance) * METRES[unit.lower()]
    if not math.isfinite(metres):  # 1e400 reads as inf: no box or projection holds it
        raise FilterError(
            f"S_DWITHIN's distance must be a finite number of metres, got {distance!r} {unit}"
        )
    return literal, metres


def point_distances(
    x: np.ndarray, y: np.ndarray, centre: shapely.Point, metres: float
) -> tuple[np.ndarray, np.ndarray]:
    """(surely within, not sure) for points around ``centre``, by a local scale of metres
    per degree taken from the ellipsoid there. Its error grows with the distance and the
    latitude (the meridians converge); points within that error of the limit are left to
    the exact geodesic, as are all of them far north or south or far apart."""
    cx, cy = centre.x, centre.y
    if abs(cy) > LOCAL_LATITUDE or metres > LOCAL_METRES:
        return np.zeros(len(x), dtype=bool), np.ones(len(x), dtype=bool)
    kx = GEOD.inv(cx, cy, cx + STEP, cy)[2] / STEP
    ky = GEOD.inv(cx, cy, cx, cy + STEP)[2] / STEP
    approx = np.hypot((x - cx) * kx, (y - cy) * ky)
    slack = metres * (2 * (1 + math.tan(math.radians(abs(cy)))) * metres / EARTH_RADIUS + 1e-6)
    return approx < metres - slack, np.abs(approx - metres) <= slack


def _projected_dwithin(shapes: np.ndarray, literal: shapely.Geometry, metres: float):
    """Distances from any geometry, in an azimuthal equidistant projection centred on the
    literal, where distances from it are true."""
    local = CRS.from_proj4(equidistant_around(literal))
    move = Transformer.from_crs(CRS.from_user_input(CRS84), local, always_xy=True)
    moved = shapely.transform(
        np.append(shapes, literal), lambda xy: np.column_stack(move.transform(xy[:, 0], xy[:, 1]))
    )
    return shapely.dwithin(moved[:-1], moved[-1], metres)


def equidistant_around(literal: shapely.Geometry) -> str:
    """The azimuthal equidistant projection centred on the literal, as PROJ reads it (the
    database measures in the same one)."""
    centre = literal.centroid
    return f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84"


def box_around(shape: shapely.Geometry, metres: float) -> tuple[float, float, float, float]:
    """A CRS84 box holding every point within ``metres`` of the shape (generously)."""
    minx, miny, maxx, maxy = shape.bounds
    dlat = metres / METRES_PER_DEGREE
    widest = max(abs(miny - dlat), abs(maxy + dlat))
    if widest >= 89:
        return (-180.0, -90.0, 180.0, 90.0)
    dlon = dlat / math.cos(math.radians(widest))
    return (minx - dlon, max(miny - dlat, -90), maxx + dlon, min(maxy + dlat, 90))


def temporal(node: ast.Function, table: Table) -> Truth:
    if len(node.arguments) != 2:
        raise FilterError(f"{node.name.upper()} takes two times")
    s, e, known_a = _span(node.arguments[0], table)
    bs, be, known_b = _span(node.arguments[1], table)
    held = np.broadcast_to(TEMPORAL[node.name](s, e, bs, be), (table.size,))
    known = np.broadcast_to(np.asarray(known_a) & np.asarray(known_b), (table.size,))
    return known_truth(np.array(held, dtype=bool), np.array(known, dtype=bool))


def _span(node: object, table: Table) -> Span:
    """A property's spans (interval, start or end as instants) or a literal's."""
    return span_of(node, table)


def span_of(node: object, table: Table) -> Span:
    """As ``_span``; a literal's needs only ``table.tz`` (the database narrows by it)."""
    if isinstance(node, ast.Attribute):
        kind = attribute(node, table).kind
        if kind not in ("time", "interval") or table.spans is None:
            raise FilterError(f"property {node.name!r} is not a time")
        return table.spans(node.name)
    if isinstance(node, values.Interval):
        lo = OPEN_LO if node.start is None else _bound(node.start, table.tz, "start")
        hi = OPEN_HI if node.end is None else _bound(node.end, table.tz, "end")
        if lo > hi:
            raise FilterError(f"the interval's end {node.end} is before its start {node.start}")
        return lo, hi, True
    if isinstance(node, dt.datetime):
        at = instant(node, table.tz).value
        return at, at + 1, True
    if isinstance(node, dt.date):
        return _bound(node, table.tz, "start"), _bound(node, table.tz, "end"), True
    raise FilterError(f"expected a time (TIMESTAMP, DATE or INTERVAL), got {describe(node)}")


def instant(value: dt.date, tz: ZoneInfo) -> pd.Timestamp:
    """A timestamp (UTC when it names no offset, as CQL2 has it) or a date's first moment
    in the dataset's timezone."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return parse_bound(value.isoformat(), tz, "start")  # far-off years held at its limits


def _bound(value: object, tz: ZoneInfo, side: str) -> int:
    """An interval's bound in nanoseconds, half-open: an end date takes in its whole day."""
    if isinstance(value, dt.datetime):
        at = instant(value, tz).value
        return at + 1 if side == "end" else at
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    for attempt in (text, text + "Z"):  # a timestamp without an offset is UTC
        try:
            return parse_bound(attempt, tz, side).value
        except TimeValueError:
            continue
    raise FilterError(f"expected a date or a timestamp in the interval, got {text!r}")
