"""The JSON Schema, the README's field table and the validator describe the same format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.errors import DataError
from almaty_map.geodata.model import (
    EVENT_FIELDS,
    GEO_PRECISION_RADIUS_M,
    GEO_PRECISIONS,
    GEOMETRY_TYPES,
    LEGACY_NAME_FIELDS,
    PLACE_FIELDS,
    REQUIRED_EVENT_FIELDS,
    REQUIRED_PLACE_FIELDS,
    REQUIRED_SOURCE_FIELDS,
    SOURCE_FIELDS,
    TIME_PRECISIONS,
    TRANSLATED_FIELDS,
)
from tests.conftest import DATA

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "geodata" / "schema" / "events.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PLACES_SCHEMA = json.loads((ROOT / "geodata" / "schema" / "places.schema.json").read_text())
PLACES_VALIDATOR = jsonschema.Draft202012Validator(PLACES_SCHEMA)


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(PLACES_SCHEMA)


def test_schema_matches_the_model():
    props = SCHEMA["$defs"]["properties"]
    assert tuple(props["properties"]) == EVENT_FIELDS
    assert tuple(props["required"]) == REQUIRED_EVENT_FIELDS
    assert tuple(props["properties"]["time_precision"]["enum"]) == TIME_PRECISIONS
    assert tuple(props["properties"]["geo_precision"]["enum"]) == GEO_PRECISIONS
    source = SCHEMA["$defs"]["source"]
    assert tuple(source["properties"]) == SOURCE_FIELDS
    assert tuple(source["required"]) == REQUIRED_SOURCE_FIELDS
    assert tuple(SCHEMA["$defs"]["geometry"]["properties"]["type"]["enum"]) == GEOMETRY_TYPES
    for name, radius in GEO_PRECISION_RADIUS_M.items():
        assert f"{name} {radius} m" in props["properties"]["geo_precision"]["description"]
    assert tuple(SCHEMA["$defs"]["translation"]["properties"]) == TRANSLATED_FIELDS


def test_places_schema_matches_the_model():
    props = PLACES_SCHEMA["$defs"]["properties"]
    assert tuple(props["properties"]) == PLACE_FIELDS + tuple(LEGACY_NAME_FIELDS)
    assert tuple(props["required"]) == REQUIRED_PLACE_FIELDS
    assert all(props["properties"][name]["deprecated"] for name in LEGACY_NAME_FIELDS)
    geometry = PLACES_SCHEMA["$defs"]["geometry"]
    assert tuple(geometry["properties"]["type"]["enum"]) == GEOMETRY_TYPES


def test_readme_documents_every_place_field():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Place properties")[1].split("###")[0]
    for name in PLACE_FIELDS:
        assert re.search(
            rf"^\| `{name}` \| {'yes' if name in REQUIRED_PLACE_FIELDS else 'no'} \|", table, re.M
        ), name
    legacy = ", ".join(f"`{name}`" for name in LEGACY_NAME_FIELDS)
    assert f"| {legacy} | no |" in table


def test_bundled_places_satisfy_the_schema_in_the_new_form():
    document = json.loads((BUNDLED / "places.geojson").read_text())
    assert list(PLACES_VALIDATOR.iter_errors(document)) == []
    for feature in document["features"]:
        assert not set(LEGACY_NAME_FIELDS) & set(feature["properties"]), feature["id"]


def test_the_readme_example_place_is_valid(make_dataset):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Place properties")[1]
    example = section.split("Example feature:")[1].split("```json")[1].split("```")[0]
    document = {"type": "FeatureCollection", "features": [json.loads(example)]}
    assert list(PLACES_VALIDATOR.iter_errors(document)) == []
    dataset = load_dataset(make_dataset(places=json.dumps(document)))
    assert dataset.places["names"][0]["es"] == "Monumento a la Independencia de Kazajistán"
    assert dataset.warnings == ()


# Places files a schema alone can see are wrong: the schema and the validator both say so.
BROKEN_PLACES = {
    "missing-name": ('"name": "Square", ', ""),
    "missing-kind": (', "kind": "square"', ""),
    "names-not-an-object": ('"names": {"kk": "Алаң"}', '"names": "Алаң"'),
    "empty-name-in-names": ('"names": {"kk": "Алаң"}', '"names": {"kk": ""}'),
    "name-not-text": ('"names": {"kk": "Алаң"}', '"names": {"kk": 7}'),
}
PLACE = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
    '{"type": "Point", "coordinates": [76.9455, 43.2386]}, "properties": {"id": "square", '
    '"name": "Square", "names": {"kk": "Алаң"}, "kind": "square"}}]}'
)


@pytest.mark.parametrize("case", BROKEN_PLACES)
def test_places_schema_and_validator_agree_on_broken_files(make_dataset, case):
    old, new = BROKEN_PLACES[case]
    assert old in PLACE
    text = PLACE.replace(old, new)
    assert list(PLACES_VALIDATOR.iter_errors(json.loads(text))), case
    with pytest.raises(DataError):
        load_dataset(make_dataset(places=text))
    assert load_dataset(make_dataset(places=PLACE)).places["names"][0] == {"kk": "Алаң"}


def test_readme_documents_every_field():
    readme = (ROOT / "README.md").read_text()
    for name in EVENT_FIELDS + tuple(f"sources[].{s}" for s in SOURCE_FIELDS):
        assert re.search(rf"^\| `{re.escape(name)}` \|", readme, re.M), name
    for name, radius in GEO_PRECISION_RADIUS_M.items():
        assert f"`{name}` ({radius:,} m)" in readme, name


def test_bundled_events_satisfy_the_schema():
    document = json.loads((BUNDLED / "events.geojson").read_text())
    assert list(VALIDATOR.iter_errors(document)) == []


# Faults a schema alone can see: the schema and the validator must both reject them.
SCHEMA_VISIBLE = [
    "not-a-collection",
    "features-not-a-list",
    "not-a-feature",
    "missing-geometry",
    "null-geometry",
    "unsupported-geometry",
    "missing-id",
    "missing-sources",
    "empty-sources",
    "source-without-publication",
    "source-bad-url",
    "bad-precision",
    "bad-fatalities",
    "bad-count",
    "bad-actors",
    "bad-sensitive",
    "unparseable-date",
    "missing-offset",
    "missing-title",
]


@pytest.mark.parametrize("case", SCHEMA_VISIBLE)
def test_schema_and_validator_agree_on_broken_files(make_dataset, case):
    path = DATA / "broken-events" / f"{case}.geojson"
    assert list(VALIDATOR.iter_errors(json.loads(path.read_text()))), case
    with pytest.raises(DataError):
        load_dataset(make_dataset(events=path))


def test_the_readme_example_feature_is_valid(make_dataset):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("Example feature:")[1].split("```json")[1].split("```")[0]
    feature = json.loads(example)
    document = {"type": "FeatureCollection", "features": [feature]}
    assert list(VALIDATOR.iter_errors(document)) == []
    dataset = load_dataset(
        make_dataset(
            events=json.dumps(document)
            .replace('"lethal-force"', '"violence"')
            .replace('"independence_monument"', "null")
        )
    )
    assert len(dataset.events) == 1 and dataset.warnings == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"2022-01-08", "url"', '"2022-01-08\\n", "url"'),
        ('"https://example.org/a"', '"https://example.org/a\\n"'),
        ('"2022-01-06T23:00:00+06:00"', '"2022-01-06T23:00:00+06:00\\n"'),
    ],
)
def test_schema_and_validator_agree_on_a_trailing_newline(make_dataset, old, new):
    """JSON Schema patterns are ECMA-262, where $ is the end of the text; Python's re (which
    many validators use) also lets $ match before a final newline, so the schema says so."""
    text = (DATA / "base" / "events.geojson").read_text().replace(old, new)
    assert list(VALIDATOR.iter_errors(json.loads(text)))
    with pytest.raises(DataError):
        load_dataset(make_dataset(events=text))
