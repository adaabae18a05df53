"""The interface text goes through gettext catalogues that are complete and compiled."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from almaty_map.language.texts import LANGUAGES, LOCALE_DIR, texts_for
from almaty_map.language.ui import ui_strings

ROOT = Path(__file__).parents[1]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def catalogue(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_the_template_holds_every_string_in_the_code(tmp_path):
    """Extracting again finds exactly the messages the catalogues were made from."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "plural_forms:2,3",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert extracted == committed, "run `make translations`"
    assert len(extracted) > 80


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang):
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    po = catalogue(lang)
    messages = [m for m in po if m.id]
    assert {m.id for m in messages} == wanted
    for m in messages:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings) and not m.fuzzy, m.id
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == expected, (m.id, text)


def _messages(translations: gettext.GNUTranslations) -> dict:
    """The translated messages and the plural rule, without the header: which Babel
    release generated a file says nothing about what readers see."""
    catalog = {k: v for k, v in translations._catalog.items() if k != ""}
    return {"messages": catalog, "plural": [translations.plural(n) for n in range(30)]}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogues_match_their_sources(lang):
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(lang))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert _messages(shipped) == _messages(fresh), "run `make translations`"
    assert len(_messages(shipped)["messages"]) > 80


def test_the_compiled_check_sees_a_stale_translation(tmp_path):
    """The comparison above fails when a compiled message differs from its source."""
    po = catalogue("ru")
    message = next(m for m in po if m.id == "Explore freely")
    message.string = "Устаревший перевод"
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert _messages(gettext.GNUTranslations(compiled)) != _messages(shipped)


def test_the_map_strings_are_translated_and_plural_aware():
    english, russian, kazakh = (ui_strings(texts_for(lang), 3) for lang in ("en", "ru", "kk"))
    assert english["storyExit"] == "Explore freely"
    assert russian["storyExit"] == "Свободный просмотр"
    assert kazakh["storyExit"] == "Еркін қарау"
    assert set(russian["eventsShown"]) >= {"one", "few", "many"}
    assert russian["eventsShown"]["few"] == "Показано {n} события"
    assert russian["months"][0] == "янв." and kazakh["months"][0] == "қаң."


@pytest.mark.parametrize(("lang", "text"), [("ru", "Фильтры"), ("kk", "Сүзгілер")])
def test_the_reader_page_declares_and_uses_its_language(client, lang, text):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in page and text in page
    assert 'hreflang="en"' in page
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english and text not in english
