"""A property that looks like a field of the format but is not it: an error where it decides
how exactly a location is published, a warning ("did you mean ...?") elsewhere, and nothing
at all for a name unlike any field."""

from __future__ import annotations

import json
import tomllib

import geopandas as gpd
import pytest

from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import inspect_dataset
from tests.conftest import DATA

FEATURE = "after-midnight-local"


def events_with(properties: dict | None = None, source: dict | None = None) -> str:
    doc = json.loads((DATA / "base" / "events.geojson").read_text())
    for feature in doc["features"]:
        if feature["properties"]["id"] == FEATURE:
            feature["properties"].update(properties or {})
            feature["properties"]["sources"][0].update(source or {})
    return json.dumps(doc)


def problems_for(make_dataset, **kwargs):
    return inspect_dataset(make_dataset(**kwargs))


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("Sensitive", "sensitive"),
        ("SENSITIVE", "sensitive"),
        ("sensitiv", "sensitive"),
        ("sensitve", "sensitive"),
        ("is_sensitive", "sensitive"),
        ("geo_precison", "geo_precision"),
        ("Geo-Precision", "geo_precision"),
    ],
)
def test_a_privacy_field_misspelt_is_an_error_naming_feature_key_and_field(
    make_dataset, name, meant
):
    dataset, problems = problems_for(make_dataset, events=events_with({name: True}))
    assert dataset is None
    hits = [p for p in problems if p.field == name]
    assert len(hits) == 1, problems
    problem = hits[0]
    assert problem.severity == "error" and problem.feature_id == FEATURE
    assert f"looks like '{meant}'" in problem.message and "published" in problem.message
    assert problem.file == "events.geojson" and problem.index == 1


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("titel", "title"),
        ("Category", "category"),
        ("fatalites", "fatalities"),
        ("actor", "actors"),
    ],
)
def test_another_field_misspelt_is_a_warning_and_the_data_still_loads(make_dataset, name, meant):
    dataset, problems = problems_for(make_dataset, events=events_with({name: "x"}))
    assert dataset is not None
    [warning] = [p for p in problems if p.field == name]
    assert warning.severity == "warning" and f"did you mean '{meant}'?" in warning.message
    assert warning.feature_id == FEATURE
    extra = json.loads(dataset.events.set_index("id").loc[FEATURE, "extra"])
    assert extra[name] == "x"  # still kept as an extra property


def test_a_source_member_misspelt_is_named_with_its_source(make_dataset):
    dataset, problems = problems_for(make_dataset, events=events_with(source={"Quote": "q"}))
    assert dataset is not None
    [warning] = [p for p in problems if p.severity == "warning"]
    assert warning.field == "sources[0].Quote" and "did you mean 'quote'?" in warning.message


NOT_LOOKALIKES = ("newsroom_tag", "title_ru", "sensitive_note", "private", "place_name", "end_ok")


def test_names_unlike_any_field_are_kept_without_a_word(make_dataset):
    extras = dict.fromkeys(NOT_LOOKALIKES, "x")
    dataset, problems = problems_for(make_dataset, events=events_with(extras))
    assert dataset is not None and problems == []
    assert json.loads(dataset.events.set_index("id").loc[FEATURE, "extra"]) == extras


def test_a_place_field_misspelt_is_a_warning(make_dataset):
    doc = json.loads((BUNDLED / "places.geojson").read_text())
    doc["features"][0]["properties"]["Name_KK"] = "x"
    doc["features"][0]["properties"]["name_en"] = "an English name, on purpose"
    dataset, problems = problems_for(make_dataset, places=json.dumps(doc))
    assert dataset is not None
    assert [(p.field, p.severity) for p in problems] == [("Name_KK", "warning")]


def test_a_geopackage_column_misspelt_is_caught_too(make_dataset):
    folder = make_dataset()
    frame = gpd.read_file(folder / "events.geojson", engine="pyogrio")
    for column in ("actors", "sources"):
        frame[column] = frame[column].map(
            lambda v: None if v is None else json.dumps(getattr(v, "tolist", lambda: v)())
        )
    frame["Sensitive"] = frame["id"] == FEATURE  # GeoPackage columns ignore case: one only
    frame = frame.drop(columns="sensitive")
    (folder / "events.geojson").unlink()
    frame.to_file(folder / "events.gpkg", engine="pyogrio")
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    assert any(p.field == "Sensitive" and p.severity == "error" for p in problems), problems


def test_dataset_toml_keys_misspelt_are_warned_of(make_dataset):
    toml = (DATA / "base" / "dataset.toml").read_text()
    toml = toml.replace('licence = "CC0"', 'license = "CC0"')
    toml = toml.replace('label = "Protest"', 'label = "Protest"\ncolor = "#000000"')
    toml = toml.replace('label = "Before"', 'label = "Before"\ncaptoin = "oops"')
    dataset, problems = problems_for(make_dataset, toml=toml)
    warned = {(p.field, p.message.rsplit(" ", 1)[-1]) for p in problems}
    assert ("license", "'licence'?") in warned
    assert ("categories[0].color", "'colour'?") in warned
    assert ("periods[0].captoin", "'caption'?") in warned
    assert dataset is not None and all(p.severity == "warning" for p in problems)


FIGURE = (
    '[[figures]]\nlabel = "Deaths"\ncount = 3\nsource = {publication = "P", title = "T", '
    'date = "2022-01", quote = "three died"}\n'
)
EXTENT = "extent = [76.7, 43.1, 77.1, 43.4]\n"


@pytest.mark.parametrize("array", ["figures", "categories", "periods"])
def test_a_dataset_key_written_after_a_table_array_is_warned_of(make_dataset, array):
    """TOML puts a key written after ``[[figures]]`` into that figure: the bundled
    dataset's extent was lost that way. The key is named with the table it landed in."""
    base = "".join(
        line
        for line in (DATA / "base" / "dataset.toml").read_text().splitlines(keepends=True)
        if not line.startswith("extent")
    )
    head, periods = base.split("[[periods]]", 1)
    misplaced = {
        "figures": base + FIGURE + EXTENT,
        "categories": head + EXTENT + "[[periods]]" + periods,
        "periods": base + EXTENT,
    }[array]
    last = len(tomllib.loads(misplaced)[array]) - 1
    dataset, problems = problems_for(make_dataset, toml=misplaced)
    hits = [p for p in problems if p.field == f"{array}[{last}].extent"]
    assert len(hits) == 1, problems
    assert hits[0].severity == "warning" and "move it above" in hits[0].message
    assert dataset is not None and dataset.meta.extent is None
    fixed, problems = problems_for(make_dataset, toml=EXTENT + base)
    assert fixed.meta.extent == (76.7, 43.1, 77.1, 43.4)
    assert not [p for p in problems if p.field.endswith(".extent")]


def test_the_bundled_dataset_has_its_extent():
    dataset, problems = inspect_dataset(BUNDLED)
    assert dataset is not None and dataset.meta.extent is not None
    assert not problems, problems
