"""Checks of texts given in several languages: objects keyed by BCP 47 language tag.

A place's ``names`` maps a tag to the place's name in that language; an event's
``translations`` maps a tag to its title, place and description in that language. Both are
checked the same way: an object, every key a registered tag (``geodata.languagetags``), no
language twice (``es`` and ``ES`` are one), and every value of the expected shape. Each
problem names the key it is about (``names.xx``), so a long list of names is easy to fix.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.checks.values import absent
from almaty_map.geodata.languagetags import TAG_EXPECTED, is_tag, standard_tag
from almaty_map.geodata.model import TRANSLATED_FIELDS

NAMES_EXPECTED = 'an object of names keyed by language tag, e.g. {"kk": "…", "es": "…"}'
TRANSLATIONS_EXPECTED = (
    "an object keyed by language tag, each holding "
    + ", ".join(TRANSLATED_FIELDS)
    + ' as text, e.g. {"es": {"title": "…"}}'
)


def is_name(value: object) -> bool:
    return type(value) is str and bool(value.strip())


def is_translation(value: object) -> bool:
    """An object giving at least one of the translated fields, each as non-empty text."""
    return (
        type(value) is dict
        and bool(value)
        and all(key in TRANSLATED_FIELDS and is_name(text) for key, text in value.items())
    )


def names(rep: Reporter, values: list) -> list[dict | None]:
    """A place's ``names``; kept as written, None when absent."""
    return _language_map(rep, values, "names", NAMES_EXPECTED, is_name, "a non-empty name")


def translations(rep: Reporter, values: list) -> list[dict | None]:
    """An event's ``translations``; kept as written, None when absent."""
    what = "an object with " + ", ".join(TRANSLATED_FIELDS) + " (any of them) as non-empty text"
    return _language_map(rep, values, "translations", TRANSLATIONS_EXPECTED, is_translation, what)


def _language_map(
    rep: Reporter,
    values: list,
    field: str,
    expected: str,
    value_ok: Callable[[object], bool],
    value_expected: str,
) -> list[dict | None]:
    missing = absent(values)
    is_object = np.array([type(v) is dict for v in values], dtype=bool)
    rep.rows(
        ~missing & ~is_object, field, "is not an object keyed by language tag", expected, values
    )
    faults: dict[tuple[str, str, str], dict[int, object]] = {}
    for row in np.flatnonzero(is_object):
        for key, message, expect, shown in _faults(values[row], field, value_ok, value_expected):
            faults.setdefault((key, message, expect), {})[int(row)] = shown
    for (key, message, expect), found in faults.items():
        mask = np.zeros(len(values), dtype=bool)
        mask[list(found)] = True
        shown = [found.get(i) for i in range(len(values))]
        rep.rows(mask, key, message, expect, shown)
    return [v if ok else None for v, ok in zip(values, is_object, strict=True)]


def _faults(mapping: dict, field: str, value_ok, value_expected: str):
    """(field, message, expected, found) for each fault of one object."""
    seen: dict[str, str] = {}
    for key, value in mapping.items():
        if not is_tag(key):
            yield field, "has a key that is not a language tag", TAG_EXPECTED, key
            continue
        language = standard_tag(key)
        if language in seen:
            message = f"gives the language of {seen[language]!r} again"
            yield field, message, "each language once", key
        seen.setdefault(language, key)
        if not value_ok(value):
            yield f"{field}.{key}", "is not usable", value_expected, value
