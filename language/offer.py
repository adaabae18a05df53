"""Which interface languages a dataset's readers are offered.

A Chilean dataset's page should offer Spanish and English, not the Russian and Kazakh of the
bundled one: the offer is what ``dataset.toml`` declares (``languages``; by default its
``language`` and English) that has a catalogue, in the declared order, the first being the
default. A declared tag is served by the closest catalogue (``es-CL`` by ``es``), never by
another language.
"""

from __future__ import annotations

from almaty_map.geodata.errors import Problem
from almaty_map.geodata.metadata import FILE, Metadata
from almaty_map.language.choice import best_tag
from almaty_map.language.texts import LANGUAGES, SOURCE_LANGUAGE


def declared_languages(meta: Metadata) -> tuple[str, ...]:
    return meta.languages or (meta.language, SOURCE_LANGUAGE)


def offered_languages(meta: Metadata) -> tuple[str, ...]:
    """The interface languages for this dataset, the default first (never empty)."""
    offered: list[str] = []
    for tag in declared_languages(meta):
        found = best_tag(list(LANGUAGES), tag)
        if found and found not in offered:
            offered.append(found)
    return tuple(offered) or (SOURCE_LANGUAGE,)


def untranslated(meta: Metadata) -> list[Problem]:
    """A warning for each declared language the interface has no catalogue for."""
    return [
        Problem(
            FILE,
            f"lists {tag!r}, a language the interface is not translated into, so it is not "
            f"offered (to add it: make language LANG={tag})",
            field="languages",
            found=repr(tag),
            expected="a language with a catalogue: " + ", ".join(LANGUAGES),
            severity="warning",
        )
        for tag in declared_languages(meta)
        if best_tag(list(LANGUAGES), tag) is None
    ]
