"""The coordinate reference systems features can be asked for, and moving geometries between
them (OGC API - Features Part 2).

Data is stored in CRS84 (longitude, latitude). pyproj does every transformation with the
axis order each CRS's authority defines, so EPSG:4326 comes out latitude first, as Part 2
requires, and a bbox given in EPSG:4326 is read latitude first too.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

from almaty_map.geodata.bbox import BBox, read_bbox
from almaty_map.geodata.errors import QueryProblem, shorten

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
# Offered to clients, storage CRS first: WGS84 both ways round, Web Mercator for tile
# workflows and UTM zone 43N, the projected system GIS users in Almaty work in.
SUPPORTED = (CRS84, f"{EPSG}4326", f"{EPSG}3857", f"{EPSG}32643")
# Other spellings clients send for the same CRS (GDAL and QGIS name them so at times).
ALIASES = {
    "https://www.opengis.net/def/crs/OGC/1.3/CRS84": CRS84,
    "[OGC:CRS84]": CRS84,
    "OGC:CRS84": CRS84,
    **{f"[EPSG:{code}]": f"{EPSG}{code}" for code in (4326, 3857, 32643)},
    **{f"EPSG:{code}": f"{EPSG}{code}" for code in (4326, 3857, 32643)},
}
# Box corners are densified this much when a bbox is moved into CRS84, so its curved edges
# are followed rather than cut across.
DENSIFY = 21


def read_crs(parameter: str, value: str | None) -> tuple[str, list[QueryProblem]]:
    """The CRS a parameter names (CRS84 when absent), or CRS84 and a problem listing the
    supported ones."""
    if value is None:
        return CRS84, []
    text = value.strip()
    uri = ALIASES.get(text, text)
    if uri in SUPPORTED:
        return uri, []
    expected = "one of " + ", ".join(SUPPORTED)
    found = shorten(value)
    message = f"CRS {found} is not supported; expected {expected}"
    return CRS84, [QueryProblem(parameter, expected, found, message)]


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_user_input(target))


def transform(geometries: np.ndarray, source: str, target: str) -> np.ndarray:
    """Shapely geometries moved from one supported CRS to another, in the target's axis
    order (a no-op when they are the same)."""
    if source == target or not len(geometries):
        return geometries
    move = _transformer(source, target).transform

    def moved(coords: np.ndarray) -> np.ndarray:
        x, y = move(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, moved)


def bbox_to_crs84(box: tuple[float, float, float, float], crs: str) -> tuple[float, ...]:
    """A box given in ``crs`` (in its axis order) as the CRS84 box that covers it."""
    if crs == CRS84:
        return box
    source = CRS.from_user_input(crs)
    if source.axis_info[0].direction == "north":  # latitude first: read it so
        box = (box[1], box[0], box[3], box[2])
    t = Transformer.from_crs(source, CRS.from_user_input(CRS84), always_xy=True)
    return tuple(float(v) for v in t.transform_bounds(*box, densify_pts=DENSIFY))


def geojson_geometries(geometries: np.ndarray) -> list[str]:
    """Each geometry as GeoJSON text."""
    return shapely.to_geojson(geometries).tolist()


def read_bbox_in(
    text: str, crs: str, parameter: str = "bbox"
) -> tuple[BBox | None, list[QueryProblem]]:
    """A bbox given in ``crs`` (its axis order) as the CRS84 box covering it; a CRS84 box is
    read as ever, with its antimeridian rule."""
    if crs == CRS84:
        return read_bbox(text, parameter)
    expected = f"four numbers in the axis order of {crs}, lower corner first"
    found = shorten(text)
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
        return None, [QueryProblem.expecting(parameter, expected, text)]
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        message = f"the lower corner is above the upper one in {found}; expected {expected}"
        return None, [QueryProblem(parameter, expected, found, message)]
    box = bbox_to_crs84(tuple(numbers), crs)
    if not all(math.isfinite(v) for v in box):
        message = f"{found} lies outside the area {crs} covers"
        return None, [QueryProblem(parameter, f"a box within the area of {crs}", found, message)]
    lon0, lat0, lon1, lat1 = box
    return (max(lon0, -180.0), max(lat0, -90.0), min(lon1, 180.0), min(lat1, 90.0)), []
