"""Real third-party clients read the API unchanged: GDAL (through pyogrio) and OWSLib,
against waitress on a loopback port. Their counts must equal `almaty-map query`'s, and the
coordinates they read in another CRS must be pyproj's transform of the stored ones."""

from __future__ import annotations

import numpy as np
import orjson
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from owslib.ogcapi.features import Features
from pyproj import Transformer

from almaty_map.cli import main as cli
from almaty_map.geodata.dataset import load_dataset

UTM43N = "http://www.opengis.net/def/crs/EPSG/0/32643"

pytestmark = pytest.mark.server


def query_count(*args) -> int:
    result = CliRunner().invoke(cli, ["query", *args])
    assert result.exit_code == 0, result.output
    return len(orjson.loads(result.stdout_bytes)["features"])


def test_gdal_reads_every_event(live_server):
    frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/ogc", layer="events")
    assert len(frame) == query_count()
    assert {"title", "start", "sources", "geo_precision"} <= set(frame.columns)
    assert frame.crs.to_string() == "OGC:CRS84"
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{live_server}/ogc")}
    assert layers == {"events", "places"}


def test_gdal_pages_through_small_pages(live_server):
    frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/ogc", layer="events", read_geometry=False)
    sized = pyogrio.read_dataframe(
        f"OAPIF:{live_server}/ogc", layer="events", read_geometry=False, PAGE_SIZE=4
    )
    assert sorted(frame["id"]) == sorted(sized["id"])


def test_gdal_spatial_filter_matches_the_cli(live_server):
    box = (76.94, 43.23, 76.95, 43.24)
    frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/ogc", layer="events", bbox=box)
    assert len(frame) == query_count("--bbox", ",".join(map(str, box)))


@pytest.mark.parametrize(
    ("options", "cli_args"),
    [
        ({"datetime_": "2022-01-06/2022-01-07"}, ["--start", "2022-01-06", "--end", "2022-01-07"]),
        ({"bbox": [76.94, 43.23, 76.95, 43.24]}, ["--bbox", "76.94,43.23,76.95,43.24"]),
        ({"datetime_": "2022-01-09/.."}, ["--start", "2022-01-09"]),
    ],
)
def test_owslib_counts_match_the_cli(live_server, options, cli_args):
    api = Features(f"{live_server}/ogc/")
    found = api.collection_items("events", limit=1000, **options)
    assert found["numberMatched"] == found["numberReturned"] == query_count(*cli_args)


def test_owslib_reads_the_metadata(live_server):
    api = Features(f"{live_server}/ogc/")
    assert [c["id"] for c in api.collections()["collections"]] == ["events", "places"]
    assert api.collection("events")["itemType"] == "feature"
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (api.conformance()["conformsTo"])
    )
    feature = api.collection_item("events", "2022-01-06-republic-square-shooting")
    assert feature["properties"]["time_precision"] == "hour"
    assert api.api()["openapi"].startswith("3.0")


def utm_coordinates(ids) -> np.ndarray:
    """Every vertex of these bundled events, moved into UTM 43N by pyproj directly."""
    events = load_dataset().events.set_index("id").loc[list(ids)]
    lonlat = shapely.get_coordinates(events.geometry.to_numpy())
    move = Transformer.from_crs("OGC:CRS84", "EPSG:32643", always_xy=True)
    return np.column_stack(move.transform(lonlat[:, 0], lonlat[:, 1]))


def test_gdal_reads_events_in_utm_43n(live_server):
    frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/ogc", layer="events", CRS="EPSG:32643")
    assert frame.crs.to_epsg() == 32643
    assert len(frame) == query_count()
    read = shapely.get_coordinates(frame.geometry.to_numpy())
    np.testing.assert_allclose(read, utm_coordinates(frame["id"]), atol=0.01)
    assert read[:, 0].min() > 600_000 and read[:, 1].max() < 4_800_000  # metres, not degrees


def test_owslib_reads_a_feature_in_utm_43n_and_by_a_utm_box(live_server):
    api = Features(f"{live_server}/ogc/")
    assert UTM43N in api.collection("events")["crs"]
    found = api.collection_items("events", crs=UTM43N, limit=1000)
    ids = [f["id"] for f in found["features"]]
    read = np.array([c for f in found["features"] for c in _vertices(f["geometry"])])
    np.testing.assert_allclose(read, utm_coordinates(ids), atol=0.01)
    box = [657000, 4788000, 659000, 4790000]
    boxed = api.collection_items("events", bbox=box, **{"bbox-crs": UTM43N}, limit=1000)
    assert boxed["numberMatched"] == query_count("--bbox", _crs84_box(box)) > 0


def _vertices(geometry: dict) -> list:
    return shapely.get_coordinates(shapely.geometry.shape(geometry)).tolist()


def _crs84_box(box: list[float]) -> str:
    move = Transformer.from_crs("EPSG:32643", "OGC:CRS84", always_xy=True)
    bounds = move.transform_bounds(*box, densify_pts=21)
    return ",".join(str(v) for v in bounds)


DEATHS_OUTSIDE_CITY = "deaths_min >= 1 AND NOT geo_precision = 'city'"


def test_owslib_filters_with_cql2(live_server):
    api = Features(f"{live_server}/ogc/")
    found = api.collection_items(
        "events", filter=DEATHS_OUTSIDE_CITY, **{"filter-lang": "cql2-text"}, limit=1000
    )
    assert found["numberMatched"] == query_count("--filter", DEATHS_OUTSIDE_CITY) == 2
    assert all(f["properties"]["geo_precision"] != "city" for f in found["features"])


def test_gdal_sends_a_cql2_filter_and_reads_utm_43n(live_server, tmp_path):
    """GDAL finds the text encoding in the API definition and sends what it can of its
    attribute filter as ``filter`` (the rest, a field it cannot check is queryable, it
    evaluates itself); what it reads, in UTM 43N, is what the same CQL2 question keeps."""
    log = tmp_path / "gdal.log"
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON", "CPL_LOG": str(log)})
    try:
        frame = pyogrio.read_dataframe(
            f"OAPIF:{live_server}/ogc",
            layer="events",
            where="category = 'lethal-force' AND geo_precision <> 'city'",
            CRS="EPSG:32643",
        )
    finally:
        pyogrio.set_gdal_config_options({"CPL_DEBUG": None, "CPL_LOG": None})
    assert "filter=category%20%3D%20'lethal-force'" in log.read_text()
    question = "category = 'lethal-force' AND NOT geo_precision = 'city'"
    kept = orjson.loads(_query_json("--filter", question))["features"]
    assert sorted(frame["id"]) == sorted(f["id"] for f in kept) and len(kept) == 2
    read = shapely.get_coordinates(frame.geometry.to_numpy())
    np.testing.assert_allclose(read, utm_coordinates(frame["id"]), atol=0.01)


def _query_json(*args) -> bytes:
    result = CliRunner().invoke(cli, ["query", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes
