"""Names and translations in any language: checked by language tag, and carried through.

Places carry ``names`` and events ``translations``, keyed by BCP 47 tag; the older
``name_kk`` and ``name_ru`` still read as names. Each fault names the file, the feature, the
field (down to the key) and the tag or value found.
"""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.geodata.languagetags import TAG_EXPECTED
from almaty_map.language.choice import best_tag, names_for_reader
from tests.conftest import DATA

BASE_EVENTS = json.loads((DATA / "base" / "events.geojson").read_text())


def places_file(*properties: dict) -> str:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [76.9455, 43.2386]},
            "properties": {"id": f"p{i}", "name": "Square", "kind": "square", **props},
        }
        for i, props in enumerate(properties)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def events_file(**translations: object) -> str:
    """The base events, the first one given these ``translations``."""
    document = json.loads(json.dumps(BASE_EVENTS))
    document["features"][0]["properties"]["translations"] = translations or None
    return json.dumps(document, ensure_ascii=False)


def errors(folder) -> list:
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    return [p for p in problems if p.severity == "error"]


def test_a_place_has_names_in_any_language(make_dataset):
    names = {"kk": "Алаң", "es": "Plaza", "uk": "Площа", "ar": "ساحة", "sr-Latn": "Trg"}
    dataset = load_dataset(make_dataset(places=places_file({"names": names})))
    assert dataset.places["names"][0] == names
    feature = orjson.loads(dataset.place_json[0])
    assert feature["properties"]["names"] == names


def test_the_older_name_kk_and_name_ru_are_read_as_names(make_dataset):
    folder = make_dataset(
        places=places_file({"name_kk": "Алаң", "name_ru": "Площадь", "names": {"es": "Plaza"}})
    )
    dataset = load_dataset(folder)
    assert dataset.places["names"][0] == {"es": "Plaza", "kk": "Алаң", "ru": "Площадь"}
    assert dataset.warnings == ()
    properties = orjson.loads(dataset.place_json[0])["properties"]
    assert "name_kk" not in properties and properties["names"]["kk"] == "Алаң"


def test_a_name_given_both_ways_must_agree(make_dataset):
    same = places_file({"name_kk": "Алаң", "names": {"kk": "Алаң"}})
    assert load_dataset(make_dataset(places=same)).places["names"][0] == {"kk": "Алаң"}
    clash = places_file({"name_kk": "Алаң", "names": {"KK": "Майдан"}})
    [problem] = errors(make_dataset(places=clash))
    assert (problem.file, problem.feature_id, problem.field) == ("places.geojson", "p0", "name_kk")
    assert problem.found == "'Алаң'" and "names" in problem.expected


@pytest.mark.parametrize("tag", ["xx", "english", "ru ", "", "es_", "kk-Latn-Latn"])
def test_a_name_under_a_key_that_is_no_language_tag_is_an_error(make_dataset, tag):
    folder = make_dataset(places=places_file({}, {"names": {"kk": "Алаң", tag: "Square"}}))
    [problem] = errors(folder)
    assert (problem.feature_id, problem.field) == ("p1", "names")
    assert problem.found == repr(tag) and problem.expected == TAG_EXPECTED
    assert str(problem).startswith("places.geojson, feature 1 (id 'p1'): field 'names'")


def test_one_language_given_twice_is_an_error(make_dataset):
    [problem] = errors(make_dataset(places=places_file({"names": {"es": "Plaza", "ES": "Zócalo"}})))
    assert problem.field == "names" and problem.found == "'ES'"
    assert "'es'" in problem.message and problem.expected == "each language once"


@pytest.mark.parametrize(
    ("names", "field", "found"),
    [
        ("Алаң", "names", "'Алаң'"),
        (["kk", "Алаң"], "names", "['kk', 'Алаң']"),
        ({"kk": ""}, "names.kk", "''"),
        ({"kk": None}, "names.kk", "None"),
        ({"es": {"name": "Plaza"}}, "names.es", "{'name': 'Plaza'}"),
    ],
)
def test_names_of_the_wrong_shape_are_errors(make_dataset, names, field, found):
    [problem] = errors(make_dataset(places=places_file({"names": names})))
    assert (problem.field, problem.found) == (field, found)


def test_an_event_carries_translations_through_every_format(make_dataset):
    given = {"es": {"title": "Manifestación nocturna", "place": "Plaza de la República"}}
    dataset = load_dataset(make_dataset(events=events_file(**given)))
    app = create_app({"TESTING": True, "DATA_PATH": str(dataset.folder)})
    client = app.test_client()
    item = client.get("/ogc/collections/events/items/spans-midnight").get_json()
    assert item["properties"]["translations"] == given
    other = client.get("/ogc/collections/events/items/home").get_json()
    assert other["properties"]["translations"] is None
    rows = list(csv.DictReader(io.StringIO(client.get("/download.csv").get_data(as_text=True))))
    by_id = {row["id"]: row["translations"] for row in rows}
    assert json.loads(by_id["spans-midnight"]) == given and by_id["home"] == ""


@pytest.mark.parametrize(
    ("translations", "field", "found"),
    [
        ({"english": {"title": "x"}}, "translations", "'english'"),
        ({"es": "Manifestación"}, "translations.es", "'Manifestación'"),
        ({"es": {}}, "translations.es", "{}"),
        ({"es": {"headline": "x"}}, "translations.es", "{'headline': 'x'}"),
        ({"es": {"title": " "}}, "translations.es", "{'title': ' '}"),
    ],
)
def test_translations_of_the_wrong_shape_are_errors(make_dataset, translations, field, found):
    [problem] = errors(make_dataset(events=events_file(**translations)))
    assert (problem.file, problem.feature_id) == ("events.geojson", "spans-midnight")
    assert (problem.field, problem.found) == (field, found)


def test_translations_that_are_not_an_object_are_an_error(make_dataset):
    document = json.loads(events_file())
    document["features"][1]["properties"]["translations"] = ["es", "Manifestación"]
    [problem] = errors(make_dataset(events=json.dumps(document)))
    assert problem.field == "translations" and problem.found == "['es', 'Manifestación']"
    assert "keyed by language tag" in problem.expected


def test_the_reader_gets_the_closest_language_and_never_another():
    assert best_tag(["en", "es-CL"], "es") == "es-CL"
    assert best_tag(["sr-Latn"], "sr") == "sr-Latn"
    assert best_tag(["ru", "kk"], "uk") is None
    assert best_tag(["ru"], "kk") is None
    names = {"kk": "Алаң", "ru": "Площадь", "es": "Plaza", "en": "Square"}
    assert names_for_reader(names, "Square", "es") == [
        ["es", "Plaza"],
        ["kk", "Алаң"],
        ["ru", "Площадь"],
    ]


def test_the_places_api_gives_names_and_finds_a_place_by_any_of_them(make_dataset):
    folder = make_dataset(places=places_file({"names": {"es": "Plaza Mayor"}}, {}))
    client = create_app({"TESTING": True, "DATA_PATH": str(folder)}).test_client()
    found = client.get("/ogc/collections/places/items?q=plaza mayor").get_json()
    assert [f["id"] for f in found["features"]] == ["p0"]
    assert found["features"][0]["properties"]["names"] == {"es": "Plaza Mayor"}
    table = client.get("/ogc/collections/places/items?f=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert json.loads(rows[0]["names"]) == {"es": "Plaza Mayor"} and rows[1]["names"] == ""
