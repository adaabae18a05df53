"""Counts as the sources give them: exactly N, at least N, about N, between A and B, or
stated without a number ("several police officers were killed"), each with the scope the
source gives it ("across Kazakhstan" is not "in Almaty").

A bare integer in a file means "exactly N"; everything is kept in one canonical object form,
so the popup, the list, the CSV and the API all say the same thing: never a bare 6 where the
source said "at least six", and never "not reported" where the source reports deaths without
a number.
"""

from __future__ import annotations

COUNT_KINDS = ("exact", "at least", "about", "range", "unnumbered")
COUNT_EXPECTED = (
    "null (not reported), an integer >= 0 (exactly that many), or an object "
    '{"kind": "exact" | "at least" | "about", "count": N} | {"kind": "range", "min": A, '
    '"max": B} | {"kind": "unnumbered", "words": "several"}, with an optional "scope" '
    '(e.g. "across Kazakhstan")'
)
_MEMBERS = {
    "exact": {"count"},
    "at least": {"count"},
    "about": {"count"},
    "range": {"min", "max"},
    "unnumbered": {"words"},
}


class CountError(ValueError):
    """A count that is not in one of the documented forms; the message says what is wrong."""


def _whole(value: object, name: str) -> int:
    if type(value) is not int or value < 0:
        raise CountError(f"{name!r} is not a whole number >= 0")
    return value


def normalise_count(value: object) -> dict | None:
    """The canonical object for a count as written, or None when none is reported."""
    if value is None:
        return None
    if type(value) is int:
        return {"kind": "exact", "count": _whole(value, "count")}
    if not isinstance(value, dict):
        raise CountError("is neither a number nor an object")
    kind = value.get("kind")
    if kind not in _MEMBERS:
        raise CountError(f"has kind {kind!r}, not one of {', '.join(COUNT_KINDS)}")
    unknown = set(value) - _MEMBERS[kind] - {"kind", "scope"}
    if unknown:
        raise CountError(
            f"has members a {kind!r} count does not take: {', '.join(sorted(unknown))}"
        )
    out: dict[str, object] = {"kind": kind}
    if kind == "range":
        low, high = _whole(value.get("min"), "min"), _whole(value.get("max"), "max")
        if low >= high:
            raise CountError("'min' is not below 'max'")
        out |= {"min": low, "max": high}
    elif kind == "unnumbered":
        words = value.get("words")
        if words is not None and not (isinstance(words, str) and words.strip()):
            raise CountError("'words' is not text")
        if words:
            out["words"] = words
    else:
        out["count"] = _whole(value.get("count"), "count")
    scope = value.get("scope")
    if scope is not None:
        if not (isinstance(scope, str) and scope.strip()):
            raise CountError("'scope' is not text")
        out["scope"] = scope
    return out


def lowest(count: dict | None) -> int | None:
    """The least the count says, for sorting and filtering (None when not reported; an
    unnumbered report of deaths says at least one)."""
    if count is None:
        return None
    if count["kind"] == "range":
        return count["min"]
    if count["kind"] == "unnumbered":
        return 1
    return count["count"]
