"""Plural forms for the browser: gettext's forms, one per CLDR plural category.

The map's JavaScript picks a form with Intl.PluralRules, so each text is sent once per
category the language has, not once per number. Which gettext form a category gets is found
by asking CLDR (Babel) for a number in that category: hand-picked samples go wrong in some
language (in Arabic 5 and 10 are "few", not "many" and "other").
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from almaty_map.language.texts import Texts

# Numbers to look for a category's sample in: CLDR's categories for whole numbers all show
# below 1,000 except the millions of Spanish, French or Italian "many".
_CANDIDATES = (*range(1000), 10**6)


@cache
def plural_samples(locale: str) -> dict[str, int]:
    """{category: the smallest whole number in it} for the language's categories. "other"
    always gets one: where only fractions are "other" (Russian, Ukrainian), the largest
    sample stands in (their "few" form, which is also what fractions take)."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for n in _CANDIDATES:
        samples.setdefault(rule(n), n)
    samples.setdefault("other", max(samples.values()))
    return samples


def plural_forms(texts: Texts, singular: str, plural: str) -> dict[str, str]:
    """{category: text with {n}} for the language's plural categories."""
    samples = plural_samples(texts.babel_locale)
    return {c: texts.ngettext(singular, plural, samples[c]) for c in sorted(samples)}
