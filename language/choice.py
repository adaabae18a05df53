"""Which of the languages a text is given in suits a reader.

A reader of the Spanish interface should see a place's Spanish name first and an event's
Spanish title when the data has them, whether the file says ``es``, ``es-CL`` or ``es-419``.
Tags are matched by CLDR's language distance (``langcodes.closest_match``), not by their
first letters: ``sr`` matches ``sr-Latn``, but ``uk`` never falls back to ``ru``, nor ``kk``
to ``ru``, which a reader could take for the map choosing a language for them.
"""

from __future__ import annotations

import langcodes

from almaty_map.geodata.languagetags import is_tag

# langcodes' distances: 0-4 a regional variant (en-GB for en), 5-9 a script or a wider
# region (sr-Latn for sr); 10 and more a different, if related, language (uk and ru: 24).
MATCH_DISTANCE = 9


def best_tag(tags: list[str], language: str) -> str | None:
    """The tag among ``tags`` that serves a reader of ``language``, or None."""
    usable = [t for t in tags if is_tag(t)]
    if not usable:
        return None
    tag, _ = langcodes.closest_match(language, usable, max_distance=MATCH_DISTANCE)
    return None if tag == "und" else tag


def names_for_reader(names: dict[str, str] | None, main: str, language: str) -> list[list[str]]:
    """A place's names in other languages as [tag, name] pairs: the reader's language first,
    then the rest as the file gives them; a name equal to the main one is not repeated."""
    pairs = [[tag, text] for tag, text in (names or {}).items() if text != main]
    first = best_tag([tag for tag, _ in pairs], language)
    return sorted(pairs, key=lambda pair: pair[0] != first)


def translation_for_reader(translations: dict | None, language: str) -> tuple[str, dict] | None:
    """The event's (tag, translation) for a reader of ``language``, if the data has one."""
    tag = best_tag(list(translations or {}), language)
    return (tag, translations[tag]) if tag else None
