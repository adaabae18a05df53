"""OGC API - Features Part 2 through the Flask test client: every supported CRS moves the
geometries as pyproj does, bbox-crs selects what the same box in CRS84 selects, and an
unsupported CRS is a 400 listing the supported ones."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
import shapely
from pyproj import Transformer

from almaty_map.geodata.crs import CRS84, SUPPORTED

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
ITEMS = "/ogc/collections/events/items"
SHOOTING = "2022-01-06-republic-square-shooting"


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def vertices(features: list[dict]) -> np.ndarray:
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    return shapely.get_coordinates(np.array(shapes, dtype=object))


@pytest.mark.parametrize("code", ["4326", "3857", "32643"])
@pytest.mark.parametrize("collection", ["events", "places"])
def test_items_in_each_crs_are_pyprojs_transform(client, code, collection):
    url = f"/ogc/collections/{collection}/items"
    stored = get(client, url).get_json()["features"]
    response = get(client, f"{url}?crs={EPSG}{code}")
    assert response.headers["Content-Crs"] == f"<{EPSG}{code}>"
    moved = response.get_json()["features"]
    assert [f["id"] for f in moved] == [f["id"] for f in stored]
    lonlat = vertices(stored)
    # Authority axis order: EPSG:4326 is latitude first.
    x, y = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}").transform(lonlat[:, 0], lonlat[:, 1])
    np.testing.assert_allclose(vertices(moved), np.column_stack([x, y]), rtol=0, atol=1e-6)


def test_epsg_4326_is_latitude_first(client):
    feature = get(client, f"{ITEMS}/{SHOOTING}?crs={EPSG}4326").get_json()
    lat, lon = feature["geometry"]["coordinates"]
    assert 43 < lat < 44 and 76 < lon < 78


def test_single_feature_in_utm_says_so_in_every_format(client):
    for f in ("json", "html"):
        response = get(client, f"{ITEMS}/{SHOOTING}?crs={EPSG}32643&f={f}")
        assert response.headers["Content-Crs"] == f"<{EPSG}32643>"
    assert get(client, f"{ITEMS}/{SHOOTING}").headers["Content-Crs"] == f"<{CRS84}>"


@pytest.mark.parametrize(
    ("box", "crs"),
    [
        ("43.23,76.94,43.24,76.95", f"{EPSG}4326"),
        ("657000,4788000,659000,4790000", f"{EPSG}32643"),
        ("8564000,5347000,8566000,5349000", f"{EPSG}3857"),
        ("76.94,43.23,76.95,43.24", "OGC:CRS84"),
    ],
)
def test_bbox_crs_selects_what_the_same_box_in_crs84_selects(client, box, crs):
    numbers = [float(v) for v in box.split(",")]
    if crs.endswith("4326"):
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    source = "OGC:CRS84" if crs == "OGC:CRS84" else crs.rsplit("/", 1)[1]
    move = Transformer.from_crs(
        f"EPSG:{source}" if source.isdigit() else source, "OGC:CRS84", always_xy=True
    )
    lonlat = ",".join(str(v) for v in move.transform_bounds(*numbers, densify_pts=21))
    found = get(client, f"{ITEMS}?bbox={box}&bbox-crs={crs}").get_json()
    expected = get(client, f"{ITEMS}?bbox={lonlat}").get_json()
    assert found["numberMatched"] == expected["numberMatched"] > 0


def test_each_collection_lists_the_supported_crs_and_part_2_is_declared(client):
    for name in ("events", "places"):
        document = get(client, f"/ogc/collections/{name}").get_json()
        assert document["crs"] == list(SUPPORTED) and document["storageCrs"] == CRS84
    conformance = get(client, "/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("crs=EPSG:9999", "crs"),
        (f"crs={EPSG}2154", "crs"),
        ("bbox=1,2,3,4&bbox-crs=urn:ogc:def:crs:EPSG::4326", "bbox-crs"),
        (f"bbox=1,2,3&bbox-crs={EPSG}3857", "bbox"),
        (f"bbox=5,2,3,4&bbox-crs={EPSG}3857", "bbox"),
        (f"bbox=1e30,1e30,2e30,2e30&bbox-crs={EPSG}32643", "bbox"),
        (f"crs={EPSG}32643&f=csv", "crs"),
    ],
)
def test_unsupported_crs_and_bad_boxes_are_400_naming_them(client, query, parameter):
    doc = orjson.loads(get(client, f"{ITEMS}?{query}", 400).data)
    assert doc["parameter"] == parameter
    if parameter in ("crs", "bbox-crs") and "csv" not in query:
        assert all(uri in doc["expected"] for uri in SUPPORTED)


def test_single_feature_rejects_an_unsupported_crs(client):
    doc = orjson.loads(get(client, f"{ITEMS}/{SHOOTING}?crs=EPSG:9999", 400).data)
    assert doc["parameter"] == "crs" and CRS84 in doc["description"]


def test_a_filter_shape_invalid_once_moved_to_crs84_is_a_400_saying_so(client):
    """Valid in EPSG:3857, but past 180° east it comes back at the other side of the map
    and crosses itself: neither backend could answer it (GEOS's answer is undefined,
    PostGIS's an error)."""
    ring = "19000000 0, 21000000 0, 21000000 2000000, 20500000 500000, 19000000 2000000, 19000000 0"
    query = f"filter=S_INTERSECTS(geometry, POLYGON(({ring})))&filter-crs={EPSG}3857"
    doc = orjson.loads(get(client, f"{ITEMS}?{query}", 400).data)
    assert doc["parameter"] == "filter" and "antimeridian" in doc["description"]
