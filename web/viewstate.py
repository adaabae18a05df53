"""The state a reader's view is in, read from and written to the URL query string.

One ViewState is shared by the reader's page, /map, /export and the downloads, so a
permalink restores the same view and every download matches what is on screen. The map's
own state (time slice, mode, open event) lives in the URL hash, which the map manages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.model import SLICE_KINDS
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.language.offer import offered_languages
from almaty_map.maprender.options import MODES

MAX_TITLE = 200


@dataclass(frozen=True)
class ViewState:
    start: str = ""
    end: str = ""
    categories: tuple[str, ...] = ()
    bbox: str = ""
    q: str = ""
    slice_by: str = "period"
    lang: str = "en"
    title: str = ""
    mode: str = "cumulative"
    filter: EventFilter = field(default_factory=EventFilter)
    # The dataset's default interface language, which the query string leaves out.
    default_lang: str = "en"
    # The CQL2 filter as given (?filter=, as the API's), read into ``filter``.
    cql: str = ""

    def pairs(self) -> list[tuple[str, str]]:
        """The query parameters for this state, leaving out defaults."""
        pairs: list[tuple[str, str]] = []
        for key, value, default in (("start", self.start, ""), ("end", self.end, "")):
            if value != default:
                pairs.append((key, value))
        pairs += [("category", c) for c in self.categories]
        for key, value, default in (
            ("bbox", self.bbox, ""),
            ("q", self.q, ""),
            ("filter", self.cql, ""),
            ("slice", self.slice_by, "period"),
            ("lang", self.lang, self.default_lang),
            ("title", self.title, ""),
            ("mode", self.mode, "cumulative"),
        ):
            if value != default:
                pairs.append((key, value))
        return pairs

    def query(self) -> str:
        return urlencode(self.pairs())

    def api_query(self) -> str:
        """The same filters in OGC API - Features terms (datetime instead of start/end)."""
        pairs: list[tuple[str, str]] = []
        if self.start or self.end:
            pairs.append(("datetime", f"{self.start or '..'}/{self.end or '..'}"))
        if self.bbox:
            pairs.append(("bbox", self.bbox))
        pairs += [("category", c) for c in self.categories]
        if self.q:
            pairs.append(("q", self.q))
        if self.cql:
            pairs.append(("filter", self.cql))
        return urlencode(pairs)


def read_state(dataset: Dataset, args: Mapping | MultiDict) -> tuple[ViewState, list[QueryProblem]]:
    """Read the view from request arguments; return it and every problem with them.

    A wrong value is reported and left out, so the page can still show the rest. The filter
    is read by geodata.query, as the API and the CLI read theirs; an empty form field is a
    field left blank, not a wrong value.
    """
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    names = ("start", "end", "bbox", "q", "title", "filter")
    given = {k: args.get(k, "").strip() for k in names}
    text = QueryText(
        start=given["start"] or None,
        end=given["end"] or None,
        categories=tuple(args.getlist("category")),
        bbox=given["bbox"] or None,
        q=given["q"] or None,
        filter=given["filter"] or None,
    )
    query = read_query(dataset.meta, text)
    left_out = {p.parameter for p in query.problems}
    kept = {k: "" if k in left_out else v for k, v in given.items()}
    slice_by, bad_slice = _choice(args, "slice", SLICE_KINDS, "period")
    languages = offered_languages(dataset.meta)
    lang, bad_lang = _choice(args, "lang", languages, languages[0])
    mode, bad_mode = _choice(args, "mode", MODES, "cumulative")
    title, bad_title = _title(given["title"])
    view_problems = (bad_slice, bad_lang, bad_mode, bad_title)
    state = ViewState(
        kept["start"],
        kept["end"],
        query.filter.categories or (),
        kept["bbox"],
        kept["q"],
        slice_by,
        lang,
        title,
        mode,
        query.filter,
        languages[0],
        kept["filter"],
    )
    return state, [*query.problems, *(p for p in view_problems if p)]


def _choice(
    args: MultiDict, name: str, allowed: tuple[str, ...], default: str
) -> tuple[str, QueryProblem | None]:
    value = args.get(name, "").strip() or default
    if value in allowed:
        return value, None
    return default, QueryProblem.expecting(name, "one of " + ", ".join(allowed), value)


def _title(value: str) -> tuple[str, QueryProblem | None]:
    if len(value) <= MAX_TITLE:
        return value, None
    expected = f"at most {MAX_TITLE} characters"
    message = f"expected {expected}, got {len(value)}"
    return "", QueryProblem("title", expected, shorten(value), message)
