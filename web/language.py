"""The interface language of a request, for the Jinja pages (Flask-Babel) and the views.

The languages offered are the dataset's (``language.offer``), so a Chilean dataset's page is
in Spanish or English, and ``?lang=`` outside them is a 400 naming them (``viewstate``). The
map's own strings go through the same gettext catalogues (language/locales) via
``language.texts.Texts``, so one translation covers the pages, the map and the export.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

from almaty_map.language.offer import offered_languages
from almaty_map.language.texts import DOMAIN, LOCALE_DIR
from almaty_map.web.store import current_dataset


def offered() -> tuple[str, ...]:
    """This request's dataset's interface languages, the default first."""
    return offered_languages(current_dataset().meta)


def request_language() -> str:
    """``?lang=`` when the dataset offers it, else the dataset's default (a bad value is
    reported by the page)."""
    languages = offered()
    language = request.args.get("lang", "").strip()
    return language if language in languages else languages[0]


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(LOCALE_DIR))
    app.config.setdefault("BABEL_DOMAIN", DOMAIN)
    Babel(app, locale_selector=request_language)
