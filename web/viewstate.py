"""The state a reader's view is in, read from and written to the URL query string.

One ViewState is shared by the reader's page, /map, /export and the downloads, so a
permalink restores the same view and every download matches what is on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from geodata import SLICE_KINDS, Dataset, EventFilter, FilterError, make_filter
from geodata.filtering import MAX_TEXT_QUERY

PARAMS = ("start", "end", "category", "bbox", "q", "slice", "lang")


@dataclass(frozen=True)
class ViewState:
    start: str = ""
    end: str = ""
    categories: tuple[str, ...] = ()
    bbox: str = ""
    q: str = ""
    slice_by: str = "period"
    filter: EventFilter = field(default_factory=EventFilter)

    def query(self, **overrides: object) -> str:
        """The query string for this state (only the values that differ from defaults)."""
        pairs: list[tuple[str, str]] = []
        values = {"start": self.start, "end": self.end, "bbox": self.bbox, "q": self.q,
                  "slice": "" if self.slice_by == "period" else self.slice_by}
        values.update({k: v for k, v in overrides.items() if k != "category"})
        for key in ("start", "end"):
            if values[key]:
                pairs.append((key, str(values[key])))
        for category in overrides.get("category", self.categories):
            pairs.append(("category", category))
        for key in ("bbox", "q", "slice"):
            if values[key]:
                pairs.append((key, str(values[key])))
        return urlencode(pairs)

    @property
    def cache_key(self) -> tuple:
        return (self.filter, self.slice_by)


def read_state(dataset: Dataset, args: Mapping | MultiDict) -> tuple[ViewState, dict[str, str]]:
    """Read the view from request arguments; return it and {param: what is wrong}.

    A wrong value is reported and left out, so the page can still show the rest.
    """
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    errors: dict[str, str] = {}
    text = {k: args.get(k, "").strip() for k in ("start", "end", "bbox", "q")}
    categories = [c for value in args.getlist("category") for c in value.split(",")
                  if c.strip()]
    slice_by = args.get("slice", "").strip() or "period"
    if slice_by not in SLICE_KINDS:
        errors["slice"] = f"expected one of {', '.join(SLICE_KINDS)}, got {slice_by[:80]!r}"
        slice_by = "period"
    if len(text["q"]) > MAX_TEXT_QUERY:
        errors["q"] = f"expected at most {MAX_TEXT_QUERY} characters"
        text["q"] = ""
    flt = EventFilter()
    for _ in range(5):  # drop each bad value in turn, so the others still apply
        try:
            flt = make_filter(dataset, text["start"], text["end"], categories, text["bbox"],
                              text["q"])
            break
        except FilterError as exc:
            errors[exc.param] = exc.message
            if exc.param == "category":
                categories = [c for c in categories if c in dataset.meta.category_ids]
            else:
                text[exc.param] = ""
    state = ViewState(text["start"], text["end"], tuple(categories), text["bbox"], text["q"],
                      slice_by, flt)
    return state, errors
