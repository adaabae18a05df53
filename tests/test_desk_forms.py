"""The desk's edit form: every event opens into fields and saves back unchanged, and what
the editor types becomes the feature the dataset's checks judge."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from almaty_map.desk.forms import (
    feature_from_fields,
    field_name,
    fields_from_feature,
    problems_by_field,
    row_numbers,
)
from almaty_map.geodata.bundled import BUNDLED

DATA = Path(__file__).parent / "data"


def _features(folder: Path) -> list[dict]:
    return json.loads((folder / "events.geojson").read_text(encoding="utf-8"))["features"]


def _places(folder: Path) -> dict[str, dict]:
    features = json.loads((folder / "places.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["id"]: f["geometry"] for f in features}


BUNDLED_EVENTS = _features(BUNDLED)
PLACES = _places(BUNDLED)


def _posted(fields: dict[str, str]) -> dict[str, str]:
    """The fields as a browser posts them: textareas with CR LF, unchecked boxes absent."""
    return {k: v.replace("\n", "\r\n") for k, v in fields.items() if v != ""}


@pytest.mark.parametrize("feature", BUNDLED_EVENTS, ids=lambda f: f["properties"]["id"])
def test_every_bundled_event_round_trips(feature):
    fields = fields_from_feature(feature, PLACES)
    back, problems = feature_from_fields(_posted(fields), PLACES)
    assert back == feature
    quoted = all("quote" in s for s in feature["properties"]["sources"])
    assert (problems == []) == quoted


@pytest.mark.parametrize(
    "feature", _features(DATA / "hostile"), ids=lambda f: f["properties"]["id"]
)
def test_hostile_events_round_trip_with_their_extra_properties(feature):
    back, _ = feature_from_fields(_posted(fields_from_feature(feature, {})), {})
    assert back == feature


ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize("feature", BUNDLED_EVENTS, ids=lambda f: f["properties"]["id"])
def test_times_are_shown_in_the_datasets_zone_and_round_trip(feature):
    stored = copy.deepcopy(feature)  # as the desk stores a draft: in UTC
    props = stored["properties"]
    for name in ("start", "end"):
        if isinstance(props.get(name), str) and "T" in props[name]:
            props[name] = dt.datetime.fromisoformat(props[name]).astimezone(dt.UTC).isoformat()
    fields = fields_from_feature(stored, PLACES, ALMATY)
    if "T" in props["start"]:
        assert fields["start"].endswith("+06:00")
        assert dt.datetime.fromisoformat(fields["start"]) == dt.datetime.fromisoformat(
            props["start"]
        )
    back, _ = feature_from_fields(_posted(fields), PLACES)
    assert back == stored


def test_a_time_typed_in_the_datasets_zone_is_that_instant():
    stored = copy.deepcopy(BUNDLED_EVENTS[0])
    stored["properties"]["start"] = "2022-01-05T06:00:00+00:00"
    fields = fields_from_feature(stored, PLACES, ALMATY)
    assert fields["start"] == "2022-01-05T12:00:00+06:00"
    fields["start"] = "2022-01-05T13:30:00+06:00"
    back, _ = feature_from_fields(_posted(fields), PLACES)
    assert back["properties"]["start"] == "2022-01-05T13:30:00+06:00"


def test_empty_fields_come_back_as_the_event_had_them():
    feature = copy.deepcopy(BUNDLED_EVENTS[0])
    del feature["id"]
    props = feature["properties"]
    props.update(id=7, sensitive=None, actors=None, time_source=2, fatalities=0)
    del props["end"], props["description"]
    back, _ = feature_from_fields(_posted(fields_from_feature(feature, PLACES)), PLACES)
    assert back == feature


def test_a_new_event_from_typed_fields():
    posted = {
        "id": "new-1",
        "title": "Crowd at the akimat",
        "category": "protest",
        "start": "2022-01-05T10:00:00+06:00",
        "time_precision": "hour",
        "place": "Akimat",
        "geo_precision": "approximate",
        "geometry_kind": "point",
        "longitude": "76.9455",
        "latitude": "43.2364",
        "fatalities_kind": "at least",
        "fatalities_count": "3",
        "fatalities_scope": "in Almaty",
        "actors": "protesters\r\n\r\npolice",
        "sources-0-publication": "Kloop",
        "sources-0-title": "A report",
        "sources-0-date": "2022-01-05",
        "sources-0-quote": "They gathered.",
        "sources-0-time": "on",
        "sources-1-publication": "Removed",
        "sources-1-remove": "on",
        "sources-2-publication": "Second",
        "sources-2-quote": "Shots.",
        "sources-2-deaths": "on",
        "sources-2-place": "on",
        "translations-0-language": "ru",
        "translations-0-title": "Толпа",
        "translations-1-language": "",
        "sensitive": "on",
    }
    feature, problems = feature_from_fields(posted, PLACES)
    assert problems == []
    props = feature["properties"]
    assert feature["id"] == "new-1"
    assert feature["geometry"] == {"type": "Point", "coordinates": [76.9455, 43.2364]}
    assert props["fatalities"] == {"kind": "at least", "count": 3, "scope": "in Almaty"}
    assert props["actors"] == ["protesters", "police"]
    assert [s["publication"] for s in props["sources"]] == ["Kloop", "Second"]
    assert props["time_source"] == [0]
    assert props["location_source"] == props["fatalities_source"] == [1]
    assert props["translations"] == {"ru": {"title": "Толпа"}}
    assert props["sensitive"] is True
    assert props["end"] is None and props["description"] == ""


def test_a_reference_place_gives_its_shape():
    posted = {"geometry_kind": "place", "place_id": "republic_square_area"}
    feature, problems = feature_from_fields(posted, PLACES)
    assert feature["geometry"] == PLACES["republic_square_area"]
    assert feature["properties"]["place_id"] == "republic_square_area"
    assert [p.path for p in problems] == []


@pytest.mark.parametrize(
    ("posted", "path", "words"),
    [
        ({"longitude": "east", "latitude": "43"}, "geometry", "longitude must be a number"),
        ({"longitude": "nan", "latitude": "43"}, "geometry", "longitude must be a number"),
        ({"geometry_kind": "shape", "geometry": "{"}, "geometry", "not GeoJSON"),
        ({"geometry_kind": "place", "place_id": "nowhere"}, "geometry", "reference place"),
        ({"fatalities_kind": "number", "fatalities_count": "-3"}, "properties.fatalities", "whole"),
        ({"fatalities_kind": "range", "fatalities_min": "²"}, "properties.fatalities", "whole"),
        ({"fatalities_kind": "<b>"}, "properties.fatalities", "unknown kind"),
        ({"kept": "[1]"}, "form", "unreadable"),
        ({"kept": '{"blank": 1}'}, "form", "unreadable"),
        ({"sources-0-publication": "X"}, "properties.sources[0].quote", "needs a quotation"),
    ],
)
def test_unreadable_fields_are_named(posted, path, words):
    _, problems = feature_from_fields({"longitude": "1", "latitude": "2", **posted}, PLACES)
    assert [(p.path, words in p.message) for p in problems] == [(path, True)]


def test_rows_past_the_cap_are_not_read():
    posted = {"sources-9999-publication": "far", "sources-3-publication": "near"}
    assert row_numbers(posted, "sources") == [3]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("properties.title", "title"),
        ("properties.sources[2].quote", "sources-2-quote"),
        ("properties.sources[2]", "sources-2"),
        ("properties.sources", "sources"),
        ("properties.time_source", "sources"),
        ("properties.translations.es", "translations"),
        ("geometry", "geometry"),
        ("properties.titel", ""),
        ("form", ""),
    ],
)
def test_problems_are_placed_next_to_their_fields(path, name):
    assert field_name(path) == name


def test_problems_by_field_keeps_every_message():
    class P:
        def __init__(self, path, message):
            self.path, self.message = path, message

    grouped = problems_by_field(
        [P("properties.title", "a"), P("properties.title", "b"), P("x", "c")]
    )
    assert grouped == {"title": ["a", "b"], "": ["c"]}
