"""Checking geometries: present, readable, of a supported type, non-empty, valid, and where
the dataset says its events are.

The result is the shapes that can be kept: None wherever a shape is missing, unreadable,
unsupported or empty, so no later step (compacting points to coordinates, say) can meet a
shape it cannot handle, whatever else is wrong with the row.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import shapely

from almaty_map.geodata.checks.report import Reporter, Shown
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import GEOMETRY_TYPES
from almaty_map.geodata.readers.table import MISSING, RawTable

_TYPE_NAMES = {
    -1: "none",
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def geometries_from_json(table: RawTable) -> tuple[np.ndarray, np.ndarray]:
    """Shapely geometries for the GeoJSON path; the second array marks unreadable ones."""
    if table.geometry is not None:
        return table.geometry, np.zeros(len(table.geometry), dtype=bool)
    return shapes_from_geojson(table.geometry_json)


def shapes_from_geojson(raw: list) -> tuple[np.ndarray, np.ndarray]:
    """Shapely geometries from parsed GeoJSON geometries (anything else, absent or not an
    object, gives None), and which present ones could not be read.

    Points with two plain numbers (nearly every event) are made in one vectorised call;
    everything else goes through GEOS's GeoJSON reader, which reports malformed input.
    """
    present = np.array([type(g) is dict for g in raw], dtype=bool)
    geoms = np.empty(len(raw), dtype=object)
    simple = np.array(
        [type(g) is dict and g.get("type") == "Point" and _plain_xy(g) for g in raw], dtype=bool
    )
    if simple.any():
        xy = np.array([raw[i]["coordinates"] for i in np.flatnonzero(simple)], dtype=float)
        geoms[simple] = shapely.points(xy)
    rest = present & ~simple
    if rest.any():
        texts = np.array([orjson.dumps(raw[i]) for i in np.flatnonzero(rest)], dtype=object)
        geoms[rest] = shapely.from_geojson(texts, on_invalid="ignore")
    malformed = present & pd.isna(pd.Series(geoms, dtype=object)).to_numpy()
    return geoms, malformed


def _plain_xy(geometry: dict) -> bool:
    coordinates = geometry.get("coordinates")
    return (
        type(coordinates) is list
        and len(coordinates) == 2
        and type(coordinates[0]) in (int, float)
        and type(coordinates[1]) in (int, float)
    )


def check_geometry(rep: Reporter, table: RawTable, meta: Metadata | None) -> np.ndarray:
    """Report every unusable geometry; return the usable ones (None for the others)."""
    raw = table.geometry_json
    missing = np.array([g is MISSING for g in raw], dtype=bool)
    null = np.array([g is None for g in raw], dtype=bool)
    rep.rows(missing, "geometry", "is missing", "a GeoJSON geometry")
    rep.rows(null, "geometry", "is null", "a Point, LineString, Polygon or MultiPolygon")
    geoms, malformed = geometries_from_json(table)
    rep.rows(
        malformed,
        "geometry",
        "cannot be read (malformed coordinates?)",
        "a valid GeoJSON geometry",
        Shown(lambda i: _geometry_text(raw[i])),
        geometry=True,
    )
    usable = _supported(rep, geoms, rep.live & ~missing & ~null & ~malformed)
    checkable = np.where(usable, geoms, None)
    invalid = _invalid(rep, checkable, usable)
    _world_ranges(rep, usable & ~invalid, checkable, meta)
    return checkable


def _geometry_text(g: object) -> object:
    return g.get("coordinates", g) if isinstance(g, dict) else g


def _supported(rep: Reporter, geoms: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Report shapes of a type the map cannot draw, and empty ones; return the rest."""
    type_names = pd.Series(shapely.get_type_id(geoms)).map(_TYPE_NAMES).to_numpy()
    wrong_type = usable & ~np.isin(type_names, GEOMETRY_TYPES)
    rep.rows(
        wrong_type,
        "geometry",
        "has a type that is not supported",
        " | ".join(GEOMETRY_TYPES),
        type_names,
    )
    usable = usable & ~wrong_type
    empty = usable & shapely.is_empty(geoms)
    rep.rows(empty, "geometry", "is empty", "at least one position")
    return usable & ~empty


def _invalid(rep: Reporter, checkable: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Report shapes that break the OGC rules (a self-crossing ring), with GEOS's reason."""
    invalid = usable & ~shapely.is_valid(checkable)
    if invalid.any():
        reasons = np.full(len(checkable), None, dtype=object)
        reasons[invalid] = shapely.is_valid_reason(checkable[invalid])
        rep.rows(
            invalid,
            "geometry",
            "is not valid",
            "a valid geometry (OGC simple features)",
            reasons,
            geometry=True,
        )
    return invalid


def _world_ranges(
    rep: Reporter, usable: np.ndarray, geoms: np.ndarray, meta: Metadata | None
) -> None:
    """Report coordinates off the globe, saying so when they look like [lat, lon]."""
    bounds = shapely.bounds(geoms).T
    minx, miny, maxx, maxy = bounds
    with np.errstate(invalid="ignore"):
        out_of_range = usable & ((minx < -180) | (maxx > 180) | (miny < -90) | (maxy > 90))
        lat_like = usable & (np.abs(miny) <= 180) & (np.abs(maxy) <= 180)
        swapped_range = out_of_range & (np.abs(minx) <= 90) & (np.abs(maxx) <= 90) & lat_like
    shown = Shown(lambda i: f"[{minx[i]:.6f}, {miny[i]:.6f}]")
    rep.rows(
        out_of_range & ~swapped_range,
        "geometry",
        "has coordinates out of range",
        "longitude in [-180, 180] and latitude in [-90, 90]",
        shown,
        geometry=True,
    )
    rep.rows(
        swapped_range,
        "geometry",
        "has coordinates out of range; latitude and longitude look swapped",
        "[longitude, latitude] order (RFC 7946)",
        shown,
        geometry=True,
    )
    if meta is not None and meta.extent is not None:
        _extent(rep, usable & ~out_of_range, bounds, shown, meta.extent)


def _extent(
    rep: Reporter,
    usable: np.ndarray,
    bounds: np.ndarray,
    shown: Shown,
    extent: tuple[float, float, float, float],
) -> None:
    """Report shapes outside the dataset's declared extent (a typo, or swapped axes)."""
    minx, miny, maxx, maxy = bounds
    ex0, ey0, ex1, ey1 = extent
    with np.errstate(invalid="ignore"):
        inside = (minx >= ex0) & (maxx <= ex1) & (miny >= ey0) & (maxy <= ey1)
        swapped_inside = (miny >= ex0) & (maxy <= ex1) & (minx >= ey0) & (maxx <= ey1)
    outside = usable & ~inside
    where = f"inside the dataset's extent {list(extent)} (dataset.toml)"
    rep.rows(
        outside & swapped_inside,
        "geometry",
        "lies outside the dataset's extent; latitude and longitude look swapped",
        "[longitude, latitude] order, " + where,
        shown,
        geometry=True,
    )
    rep.rows(
        outside & ~swapped_inside,
        "geometry",
        "lies outside the dataset's extent",
        where,
        shown,
        geometry=True,
    )
