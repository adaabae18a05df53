"""The interface language of a request, for the Jinja pages (Flask-Babel).

The map's own strings go through the same gettext catalogues (language/locales) via
``language.texts.Texts``, so one translation covers the pages, the map and the export.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

from almaty_map.language.texts import DOMAIN, LANGUAGES, LOCALE_DIR


def request_language() -> str:
    """``?lang=ru`` or ``?lang=kk``; English otherwise (a bad value is reported by the page)."""
    language = request.args.get("lang", "").strip()
    return language if language in LANGUAGES else "en"


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(LOCALE_DIR))
    app.config.setdefault("BABEL_DOMAIN", DOMAIN)
    Babel(app, locale_selector=request_language)
