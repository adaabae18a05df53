"""Text from a request made storable: PostgreSQL's text and jsonb cannot hold NUL.

What a client typed is kept for the audit log and the rate limit even when it is hostile:
a NUL becomes U+FFFD (visibly not what was typed) instead of failing the whole request.
"""

from __future__ import annotations

NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(text: str, limit: int = 500) -> str:
    """At most ``limit`` characters of ``text``, without NUL."""
    return text[:limit].replace(NUL, REPLACEMENT)


def storable_detail(value: object) -> object:
    """Every string in a JSON-shaped value made storable (keys too)."""
    if isinstance(value, str):
        return storable(value, 10_000)
    if isinstance(value, dict):
        return {storable(str(k)): storable_detail(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_detail(v) for v in value]
    return value
