"""Loading: the GeoDataFrames, other formats through pyogrio, privacy, output formats."""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import orjson
import pandas as pd
import pytest
import shapely

from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.formats import events_csv, events_geojson
from tests.conftest import DATA


@pytest.fixture
def small(make_dataset):
    return load_dataset(make_dataset())


def test_events_are_geodataframes_with_local_times(small):
    events = small.events
    assert isinstance(events, gpd.GeoDataFrame)
    assert events.crs.to_epsg() == 4326
    assert str(events["start"].dt.tz) == "Asia/Almaty"
    row = events.set_index("id").loc["after-midnight-local"]
    assert row["start"].isoformat() == "2022-01-07T00:30:00+06:00"
    assert pd.isna(row["end"])
    assert orjson.loads(row["fatalities"]) == {"kind": "exact", "count": 2}


def test_sensitive_geometry_never_leaves_the_loader(small):
    home = small.events.set_index("id").loc["home"]
    assert home["geo_precision"] == "area"
    assert home.geometry.geom_type == "Point"
    assert home.geometry.x == pytest.approx(76.915) and home.geometry.y == pytest.approx(43.215)
    everything = events_geojson(small, range(3)) + events_csv(small, range(3)).encode()
    numbers = {round(float(x), 6) for x in re.findall(rb"-?\d+\.\d+", everything)}
    assert numbers.isdisjoint({76.9, 76.92, 43.2, 43.22})
    assert 76.915 in numbers


def test_canonical_geojson_keeps_every_property(small):
    collection = orjson.loads(events_geojson(small, range(3), {"numberMatched": 3}))
    assert collection["numberMatched"] == 3
    first = collection["features"][1]
    source = json.loads((DATA / "base" / "events.geojson").read_text())["features"][0]
    assert first["id"] == "spans-midnight"
    # Claims are written as a position or a list of them, and kept as a list.
    canonical = {"time_source": [0], "location_source": [0]}
    for key, value in source["properties"].items():
        if key not in {"start", "end"}:
            assert first["properties"][key] == canonical.get(key, value), key
    assert first["properties"]["start"] == "2022-01-06T23:00:00+06:00"
    assert first["properties"]["sensitive"] is False
    assert first["geometry"] == source["geometry"]


def test_csv_defuses_formulas_and_keeps_lists(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"Rally through the night"', '"=HYPERLINK(\\"http://x\\")"')
    dataset = load_dataset(make_dataset(events=text))
    rows = list(csv.DictReader(io.StringIO(events_csv(dataset, range(3)))))
    rally = next(r for r in rows if r["id"] == "spans-midnight")
    assert rally["title"].startswith("'=HYPERLINK")
    assert json.loads(rally["actors"]) == ["protesters"]
    assert json.loads(rally["sources"])[0]["quote"] == "It went on past midnight."
    assert float(rally["longitude"]) == pytest.approx(76.9455)


def test_geopackage_in_another_crs_is_read_and_reprojected(make_dataset):
    folder = make_dataset()
    reference = load_dataset(folder)
    source = gpd.read_file(folder / "events.geojson", engine="pyogrio")
    for column in ("actors", "sources"):
        source[column] = source[column].map(
            lambda v: None if v is None else json.dumps(getattr(v, "tolist", lambda: v)())
        )
    (folder / "events.geojson").unlink()
    source.to_crs(3857).to_file(folder / "events.gpkg", engine="pyogrio")
    dataset = load_dataset(folder)
    assert list(dataset.events["id"]) == list(reference.events["id"])
    for column in ("title", "category", "start", "place", "sources", "actors"):
        assert list(dataset.events[column]) == list(reference.events[column]), column
    moved = shapely.distance(dataset.events.geometry.array, reference.events.geometry.array)
    assert moved.max() < 1e-6


def test_places_are_loaded_with_their_names(bundled):
    places = bundled.places.set_index("id")
    assert places.loc["republic_square_area"].geometry.geom_type == "Polygon"
    assert places.loc["independence_monument", "names"]["kk"] == "Тәуелсіздік монументі"
    assert "source_url" in orjson.loads(bundled.place_json[0])["properties"]
