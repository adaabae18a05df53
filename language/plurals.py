"""Plural forms for the browser: gettext's forms, one per CLDR plural category.

The map's JavaScript picks a form with Intl.PluralRules, so each text is sent once per
category the language has, not once per number.
"""

from __future__ import annotations

from babel import Locale

from almaty_map.language.texts import Texts

# A number that falls in each CLDR plural category, for asking gettext for that form.
_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 5, "other": 10}


def plural_forms(texts: Texts, singular: str, plural: str) -> dict[str, str]:
    """{category: text with {n}} for the language's plural categories."""
    categories = Locale.parse(texts.babel_locale).plural_form.tags | {"other"}
    return {c: texts.ngettext(singular, plural, _SAMPLES[c]) for c in sorted(categories)}
