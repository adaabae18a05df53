"""Interface language: gettext catalogues plus Babel's locale data.

Every string a reader sees passes through ``Texts``, in the served pages and in the
standalone export alike, so a translation covers both. The interface languages are the
catalogues found in the locales folder (English, the language the messages are written in,
needs none): adding one is ``make language LANG=fr``, translating, and ``make
translations``. ``ALMATY_MAP_LOCALES`` points at another locales folder, for catalogues kept
outside the package.
"""

from __future__ import annotations

import gettext
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

LOCALE_DIR = Path(os.environ.get("ALMATY_MAP_LOCALES") or Path(__file__).parent / "locales")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# British English matches the project's spelling and the day-month order of the source.
_BABEL_LOCALE = {"en": "en_GB"}


def _catalogue_languages(folder: Path) -> tuple[str, ...]:
    """English first, then every language with a compiled catalogue, in name order."""
    found = sorted(path.parent.parent.name for path in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


LANGUAGES = _catalogue_languages(LOCALE_DIR)


def babel_locale(language: str) -> str:
    return _BABEL_LOCALE.get(language, language)


@cache
def language_name(language: str) -> str:
    """The language named in itself, for a switcher (CLDR, through Babel): "Español"."""
    name = Locale.parse(language).get_display_name(language)
    return name[:1].upper() + name[1:]


@cache
def text_direction(language: str) -> str:
    """ "rtl" for a language written right to left (Arabic, Hebrew, Persian), else "ltr"."""
    return Locale.parse(babel_locale(language)).text_direction


@dataclass(frozen=True)
class Texts:
    """Translated strings and the Babel locale for one interface language."""

    language: str
    catalogue: gettext.NullTranslations

    @property
    def babel_locale(self) -> str:
        return babel_locale(self.language)

    @property
    def direction(self) -> str:
        return text_direction(self.language)

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)


@cache
def texts_for(language: str = SOURCE_LANGUAGE) -> Texts:
    """The Texts for a language with a catalogue (English for any other)."""
    language = language if language in LANGUAGES else SOURCE_LANGUAGE
    catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    return Texts(language, catalogue)
