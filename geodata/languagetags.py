"""BCP 47 language tags, as datasets give them (``names``, ``translations``, ``languages``).

Tags are checked against the IANA subtag registry by ``langcodes`` rather than by a pattern:
a pattern accepts ``xx`` or ``english-UK``, which name no language, and a reader would then
see a name filed under a language nobody can ask for. Tags are kept as written (the API
gives back what the file holds) and compared in their standard form, so ``es-cl`` and
``es-CL`` are one language.
"""

from __future__ import annotations

import langcodes

TAG_EXPECTED = "a BCP 47 language tag such as kk, ru, es or es-CL"


def is_tag(value: object) -> bool:
    """Whether ``value`` is a well-formed tag whose subtags are all registered."""
    return type(value) is str and langcodes.tag_is_valid(value)


def standard_tag(tag: str) -> str:
    """The tag's standard form (case, preferred codes, no redundant script): ``ES`` -> ``es``,
    ``kk-Cyrl`` -> ``kk``, ``iw`` -> ``he``."""
    return langcodes.standardize_tag(tag)
