"""Truth in the bundled data: every event quotes the report and says how precise it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from almaty_map.geodata.bundled import BUNDLED

SOURCE_TEXT = Path(__file__).parents[1] / "geodata" / "datasets" / "almaty-2022"
REPORT_URL = "https://www.newstatesman.com/world/europe/ukraine/2022/06/"
REFERENCE = Path(__file__).parent / "data" / "reference-places.geojson"


def features():
    return json.loads((BUNDLED / "events.geojson").read_text(encoding="utf-8"))["features"]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"'))


@pytest.fixture(scope="module")
def report_text():
    text = (REFERENCE.parent / "new-statesman-almaty-2022.txt").read_text(encoding="utf-8")
    return normalise(text)


def test_every_event_quotes_the_report_verbatim(report_text):
    for feature in features():
        props = feature["properties"]
        quoted = [s for s in props["sources"] if s.get("url", "").startswith(REPORT_URL)]
        assert quoted, props["id"]
        for source in quoted:
            assert normalise(source["quote"]) in report_text, (props["id"], source["quote"])
            assert len(source["quote"]) <= 200


def test_places_come_from_the_reference_and_nothing_is_guessed(bundled):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["features"]
    cited = {json.dumps(f["geometry"]) for f in reference if f["geometry"]}
    for feature in features():
        assert json.dumps(feature["geometry"]) in cited, feature["properties"]["id"]


def test_vague_places_are_at_city_precision():
    city = {"type": "Point", "coordinates": [76.915, 43.24]}
    by_id = {f["properties"]["id"]: f for f in features()}
    for event_id in (
        "2022-01-07-hospital-raids",
        "2022-01-09-emergency-hospital",
        "2022-01-07-hospital-no7",
        "2022-06-aykorkem-mural-painted-over",
        "2022-01-family-apartment",
    ):
        assert by_id[event_id]["geometry"] == city
        assert by_id[event_id]["properties"]["geo_precision"] == "city"
    square = by_id["2022-01-04-republic-square-protests"]
    assert square["geometry"]["type"] == "Polygon"
    assert by_id["2022-01-06-republic-square-shooting"]["geometry"]["type"] == "Point"


def test_the_familys_home_is_never_finer_than_the_city(bundled):
    row = bundled.events.set_index("id").loc["2022-01-family-apartment"]
    assert row["sensitive"]
    assert row["geo_precision"] == "city"


def test_required_events_are_present():
    ids = {f["properties"]["id"] for f in features()}
    for needed in (
        "republic-square-protests",
        "akimat-stormed",
        "shops-looted",
        "police-killed",
        "csto-arrives",
        "republic-square-shooting",
        "military-control",
        "state-of-emergency",
        "shoot-to-kill-order",
        "communications-cut",
        "aykorkem-killed",
        "hospital-raids",
        "torture-deaths-in-custody",
        "mural-painted-over",
    ):
        assert any(needed in i for i in ids), needed


def test_every_source_is_cited_fully():
    for feature in features():
        for source in feature["properties"]["sources"]:
            assert source["publication"] and source["title"] and source["date"]
            assert source["url"].startswith("https://")
            assert source.get("quote") or source.get("note"), feature["properties"]["id"]
