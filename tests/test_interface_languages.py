"""The interface languages a dataset offers: declared in dataset.toml, with a catalogue.

A Chilean dataset's page offers Spanish and English, not Russian and Kazakh; a language
written right to left sets dir="rtl" on the page, the export and the snapshot; a value
outside the offer is a 400 (the page) or a usage error (the CLI) naming what is offered.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main
from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.language.offer import offered_languages
from almaty_map.language.texts import LANGUAGES, language_name, text_direction, texts_for
from almaty_map.language.ui import ui_strings
from tests.conftest import DATA

BASE_TOML = (DATA / "base" / "dataset.toml").read_text()


def toml(**keys: str) -> str:
    """The base dataset.toml with these top-level keys (TOML values as written)."""
    lines = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return lines + BASE_TOML


def client_for(folder):
    return create_app({"TESTING": True, "DATA_PATH": str(folder)}).test_client()


def switcher(page: str) -> list[str]:
    nav = page.split('<nav class="languages"')[1].split("</nav>")[0]
    return re.findall(r'hreflang="([^"]+)"', nav)


def test_every_shipped_catalogue_is_an_interface_language():
    assert set(LANGUAGES) == {"en", "ru", "kk", "es", "uk", "ar"}
    assert [language_name(code) for code in ("es", "uk", "ar")] == [
        "Español",
        "Українська",
        "العربية",
    ]
    assert text_direction("ar") == "rtl" and text_direction("uk") == "ltr"


def test_a_chilean_dataset_offers_spanish_and_english_only(make_dataset):
    client = client_for(make_dataset(toml=toml(language='"es-CL"')))
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in page and "Filtros" in page
    assert switcher(page) == ["es", "en"]
    assert "Русский" not in page and "Қазақ" not in page
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english and "Filters" in english


def test_a_language_the_dataset_does_not_offer_is_a_400_naming_those_it_does(make_dataset):
    client = client_for(make_dataset(toml=toml(language='"es"')))
    page = client.get("/?lang=ru")
    assert page.status_code == 400
    assert "one of es, en" in page.get_data(as_text=True)
    for path in ("/map?lang=ru", "/export?lang=ru"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 400, path
        [problem] = response.get_json()["problems"]
        assert problem["parameter"] == "lang" and problem["expected"] == "one of es, en"


def test_the_declared_languages_are_offered_in_their_order(make_dataset):
    folder = make_dataset(toml=toml(languages='["uk", "en", "ru"]'))
    page = client_for(folder).get("/").get_data(as_text=True)
    assert switcher(page) == ["uk", "en", "ru"]
    assert '<html lang="uk" dir="ltr">' in page and "Фільтри" in page
    links = re.findall(r'<a href="([^"]+)" lang="(\w+)"', page)
    assert ("/", "uk") in links and ("/?lang=en", "en") in links


def test_an_arabic_page_export_and_map_run_right_to_left(make_dataset):
    client = client_for(make_dataset(toml=toml(languages='["ar", "en"]')))
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "عوامل التصفية" in page
    for path in ("/map", "/export"):
        document = client.get(path).get_data(as_text=True)
        assert '<html lang="ar" dir="rtl">' in document, path
    assert '<html lang="en" dir="ltr">' in client.get("/export?lang=en").get_data(as_text=True)


def test_bad_language_tags_in_dataset_toml_are_errors(make_dataset):
    folder = make_dataset(toml=toml(language='"Spanish"', languages='["es", "xx", "ES"]'))
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    found = {(p.field, p.found, p.message) for p in problems if p.severity == "error"}
    assert found == {
        ("language", "'Spanish'", "is not a language tag"),
        ("languages[1]", "'xx'", "is not a language tag"),
        ("languages[2]", "'ES'", "is listed twice"),
    }


def test_a_declared_language_without_a_catalogue_is_a_warning_and_not_offered(make_dataset):
    folder = make_dataset(toml=toml(languages='["fr", "es"]'))
    assert offered_languages(load_dataset(folder).meta) == ("es",)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "field 'languages': lists 'fr'" in result.output
    assert "make language LANG=fr" in result.output
    assert "interface in es" in result.output


def test_the_default_offer_is_the_data_language_and_english(make_dataset):
    assert offered_languages(load_dataset(make_dataset()).meta) == ("en",)
    uk = load_dataset(make_dataset(toml=toml(language='"uk"'))).meta
    assert offered_languages(uk) == ("uk", "en")


def test_export_lang_is_checked_against_the_dataset(make_dataset, tmp_path):
    folder = make_dataset(toml=toml(language='"es"'))
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["export", "--data", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert '<html lang="es" dir="ltr">' in out.read_text()
    args = ["export", "--data", str(folder), "--out", str(out), "--lang", "kk"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Invalid value for --lang: this dataset's interface is in es, en; got 'kk'" in (
        result.output
    )


def test_arabic_plurals_use_all_six_cldr_forms():
    shown = ui_strings(texts_for("ar"), 3)["eventsShown"]
    assert set(shown) == {"zero", "one", "two", "few", "many", "other"}
    assert shown["few"] == "{n} أحداث معروضة"  # 3 to 10
    assert shown["many"] == "{n} حدثًا معروضًا"  # 11 to 99
    assert shown["other"] == "{n} حدث معروض"  # 100 and more


def test_spanish_millions_get_their_own_form():
    assert ui_strings(texts_for("es"), 3)["eventsShown"] == {
        "one": "{n} evento mostrado",
        "many": "{n} de eventos mostrados",
        "other": "{n} eventos mostrados",
    }


@pytest.mark.parametrize(("lang", "title"), [("es", "Manifestación nocturna"), ("en", None)])
def test_the_list_shows_the_title_in_the_readers_language(make_dataset, lang, title):
    events = json.loads((DATA / "base" / "events.geojson").read_text())
    events["features"][0]["properties"]["translations"] = {
        "es-CL": {"title": "Manifestación nocturna", "place": "Plaza de la República"}
    }
    folder = make_dataset(events=json.dumps(events), toml=toml(languages='["en", "es"]'))
    page = client_for(folder).get(f"/?lang={lang}").get_data(as_text=True)
    if title:
        assert f'<span class="title" lang="es-CL">{title}</span>' in page
        assert '<span class="place" lang="es-CL">Plaza de la República</span>' in page
    else:
        assert '<span class="title" lang="en">Rally through the night</span>' in page
        assert "Manifestación" not in page.split('id="event-list"')[1].split("</ol>")[0]
