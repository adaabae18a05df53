"""Adding an interface language is the README's three steps, and the server then speaks it.

In a copy of the catalogues folder: `make language LANG=fr`, a translation, `make
translations`; a real server pointed at that folder (ALMATY_MAP_LOCALES) and at a dataset
offering French serves the page in French.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from almaty_map.language.texts import LOCALE_DIR
from harness.serving import serve
from tests.conftest import DATA

pytestmark = pytest.mark.server
ROOT = Path(__file__).parents[1]


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_a_new_catalogue_is_served_once_made_and_compiled(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(LOCALE_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    started = make("language", "LANG=fr", f"LOCALES={locales}")
    assert started.returncode == 0, started.stdout + started.stderr
    po_path = locales / "fr" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    catalogue["Filters"].string = "Filtres"
    catalogue["Events"].string = "Événements"
    with po_path.open("wb") as handle:
        write_po(handle, catalogue)
    compiled = make("translations", f"LOCALES={locales}")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert (locales / "fr" / "LC_MESSAGES" / "messages.mo").is_file()

    folder = tmp_path / "data"
    shutil.copytree(DATA / "base", folder)
    toml = folder / "dataset.toml"
    toml.write_text('language = "fr"\n' + toml.read_text())
    with serve("--data", str(folder), env={"ALMATY_MAP_LOCALES": str(locales)}) as url:
        page = urllib.request.urlopen(url + "/").read().decode()
        english = urllib.request.urlopen(url + "/?lang=en").read().decode()
    assert '<html lang="fr" dir="ltr">' in page and "Filtres" in page and "Événements" in page
    assert 'hreflang="fr"' in page and "Français" in page
    assert "Filters" in english and "Filtres" not in english


def test_make_language_asks_for_the_language(tmp_path):
    """The LANG of the environment is the shell's locale, never taken for a catalogue."""
    result = subprocess.run(
        ["make", "language", f"LOCALES={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        check=False,
    )
    assert result.returncode != 0
    assert "Name the language: make language LANG=fr" in result.stdout
    assert list(tmp_path.iterdir()) == []
