"""Interface language: gettext catalogues plus Babel's calendar data.

Every string a reader sees passes through ``Texts``, in the served pages and in the
standalone export alike, so a translation covers both.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "ru", "kk")
# Each language named in itself, for a language switcher.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
# British English matches the project's spelling and the day-month order of the source.
_BABEL_LOCALE = {"en": "en_GB", "ru": "ru", "kk": "kk"}


@dataclass(frozen=True)
class Texts:
    """Translated strings and the Babel locale for one interface language."""

    language: str
    catalogue: gettext.NullTranslations

    @property
    def babel_locale(self) -> str:
        return _BABEL_LOCALE[self.language]

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)


@cache
def texts_for(language: str = "en") -> Texts:
    """The Texts for a supported language (English when the language is not supported)."""
    language = language if language in LANGUAGES else "en"
    catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    return Texts(language, catalogue)
