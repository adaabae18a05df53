"""Real third-party clients read the API unchanged: GDAL (through pyogrio) and OWSLib,
against waitress on a loopback port. Their counts must equal `almaty-map query`'s."""

from __future__ import annotations

import orjson
import pyogrio
import pytest
from click.testing import CliRunner
from owslib.ogcapi.features import Features

from almaty_map.cli import main as cli

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
