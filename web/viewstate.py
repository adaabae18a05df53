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
from almaty_map.geodata.filtering import MAX_TEXT_QUERY, EventFilter, FilterError, make_filter
from almaty_map.geodata.model import SLICE_KINDS
from almaty_map.language.texts import LANGUAGES
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
            ("slice", self.slice_by, "period"),
            ("lang", self.lang, "en"),
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
        return urlencode(pairs)


def _choice(
    args: MultiDict, name: str, allowed: tuple[str, ...], default: str, errors: dict[str, str]
) -> str:
    value = args.get(name, "").strip() or default
    if value not in allowed:
        errors[name] = f"expected one of {', '.join(allowed)}, got {value[:80]!r}"
        return default
    return value


def read_state(dataset: Dataset, args: Mapping | MultiDict) -> tuple[ViewState, dict[str, str]]:
    """Read the view from request arguments; return it and {param: what is wrong}.

    A wrong value is reported and left out, so the page can still show the rest.
    """
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    errors: dict[str, str] = {}
    text = {k: args.get(k, "").strip() for k in ("start", "end", "bbox", "q", "title")}
    categories = [
        c.strip() for value in args.getlist("category") for c in value.split(",") if c.strip()
    ]
    slice_by = _choice(args, "slice", SLICE_KINDS, "period", errors)
    lang = _choice(args, "lang", LANGUAGES, "en", errors)
    mode = _choice(args, "mode", MODES, "cumulative", errors)
    if len(text["title"]) > MAX_TITLE:
        errors["title"] = f"expected at most {MAX_TITLE} characters"
        text["title"] = ""
    if len(text["q"]) > MAX_TEXT_QUERY:
        errors["q"] = f"expected at most {MAX_TEXT_QUERY} characters"
        text["q"] = ""
    flt = EventFilter()
    for _ in range(6):  # drop each bad value in turn, so the others still apply
        try:
            flt = make_filter(
                dataset, text["start"], text["end"], categories, text["bbox"], text["q"]
            )
            break
        except FilterError as exc:
            errors[exc.param] = exc.message
            if exc.param == "category":
                categories = [c for c in categories if c in dataset.meta.category_ids]
            else:
                text[exc.param] = ""
    state = ViewState(
        text["start"],
        text["end"],
        tuple(dict.fromkeys(categories)),
        text["bbox"],
        text["q"],
        slice_by,
        lang,
        text["title"],
        mode,
        flt,
    )
    return state, errors
