"""Which field of the format a name that is not one was probably meant to be.

A property named ``Sensitive`` or ``sensitve`` is not ``sensitive``: read literally, it is an
extra property, and the location it was meant to protect is published exactly. So a name is
compared with the fields it sits among after case-folding and dropping separators
(``Geo-Precision``), then by similarity (difflib's ratio, for names of four or more letters).
A name that extends a field on purpose (``title_ru``, ``sensitive_note``) is not a misspelling.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

MIN_LETTERS = 4
SIMILAR = 0.8  # difflib ratio: 'sensitve' 0.94, 'titel' 0.8, 'name_en' vs 'name_kk' 0.67
_SEPARATORS = re.compile(r"[\W_]+")


def _plain(name: str) -> str:
    return _SEPARATORS.sub("", name.casefold())


@lru_cache(maxsize=4096)
def meant_field(name: str, fields: tuple[str, ...]) -> str | None:
    """The field ``name`` looks like a misspelling of, or None (also for a field itself)."""
    if name in fields:
        return None
    plain = _plain(name)
    by_plain = {_plain(field): field for field in fields}
    if plain in by_plain:
        return by_plain[plain]
    folded = name.casefold()
    if len(plain) < MIN_LETTERS or any(folded.startswith(f"{f}_") for f in fields):
        return None
    close = difflib.get_close_matches(plain, list(by_plain), n=1, cutoff=SIMILAR)
    return by_plain[close[0]] if close else None
