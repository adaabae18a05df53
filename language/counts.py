"""Counts worded as the source gives them: "at least 6, across Kazakhstan", never "6".

The same forms reach the map's popups (through ``count_strings``, which ``ui_strings``
passes to the JavaScript) and the server-rendered list, so the two always agree.
"""

from __future__ import annotations

from almaty_map.language.plurals import plural_forms
from almaty_map.language.texts import Texts


def count_strings(texts: Texts) -> dict[str, object]:
    """The templates for each kind of count; ``{n}`` forms are plural-aware."""
    _ = texts.gettext
    return {
        "notReported": _("not reported"),
        "exact": plural_forms(texts, "{n} reported", "{n} reported"),
        "at least": plural_forms(texts, "at least {n}", "at least {n}"),
        "about": plural_forms(texts, "about {n}", "about {n}"),
        "range": _("between {min} and {max}"),
        "unnumbered": _("reported, without a number"),
        "words": _("{words}, without a number"),
        "scope": _("{count} ({scope})"),
    }


def count_text(count: dict | None, texts: Texts) -> str:
    """A canonical count (see geodata.counts) in the reader's language."""
    forms = count_strings(texts)
    if count is None:
        return forms["notReported"]
    kind = count["kind"]
    if kind == "range":
        text = forms["range"].format(min=count["min"], max=count["max"])
    elif kind == "unnumbered":
        words = count.get("words")
        text = forms["words"].format(words=words) if words else forms["unnumbered"]
    else:
        number = count["count"]
        text = texts.ngettext(_SINGULAR[kind], _SINGULAR[kind], number).format(n=number)
    scope = count.get("scope")
    return forms["scope"].format(count=text, scope=scope) if scope else text


_SINGULAR = {"exact": "{n} reported", "at least": "at least {n}", "about": "about {n}"}
