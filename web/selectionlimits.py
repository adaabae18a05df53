"""How many events a map or a download may hold, and the reader's page's map in database mode.

An export or an embedded map holds every event it shows in one document: above
``MAX_EXPORT_EVENTS`` it is refused with the count and a way to narrow it, rather than built
for minutes and hundreds of megabytes. The reader's page served from the database draws at
most ``MAX_PAGE_EVENTS`` (the first ones, in time order) and says so; ``page_map_source`` is
the one place that decides it, so a map drawn another way (tiles) can replace it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.source import Selected, Source

NARROWER = "fewer events: a shorter time span, fewer categories, a smaller box or a text"


def too_many(source: Source, flt: EventFilter) -> QueryProblem | None:
    """The problem with a selection above the export limit, naming its size; None if not."""
    limit = int(current_app.config["MAX_EXPORT_EVENTS"])
    if source.count_up_to(flt, limit + 1) <= limit:
        return None
    count = f"{source.total(flt):,}"
    message = (
        f"the filters select {count} events, more than the {limit:,} a map or a download "
        f"can hold; narrow them (a shorter time span, fewer categories, a smaller box, a "
        f"text) or use the API's pages (/ogc/collections/events/items)"
    )
    return QueryProblem("filters", f"at most {limit:,} events", count, message)


@dataclass(frozen=True, eq=False)
class FirstEvents:
    """A source whose every selection is cut to its first ``limit`` events."""

    source: Source
    limit: int

    @property
    def dataset(self) -> Dataset:
        return self.source.dataset

    def select(self, flt: EventFilter) -> Selected:
        return self.source.page(flt, 0, self.limit)

    def page(self, flt: EventFilter, offset: int, limit: int) -> Selected:
        return self.source.page(flt, offset, limit)

    def count_up_to(self, flt: EventFilter, cap: int) -> int:
        return min(self.source.count_up_to(flt, cap), self.limit)

    def total(self, flt: EventFilter) -> int:
        return min(self.source.total(flt), self.limit)

    def feature(self, event_id: str) -> Selected | None:
        return self.source.feature(event_id)


def page_map_source(source: Source, flt: EventFilter) -> tuple[Source, int | None]:
    """The source the reader's page draws its map from, and how many events it draws when
    that is fewer than the filters select (None: all of them). Files draw every event, as
    they always have."""
    if not current_app.config["DATABASE_URL"]:
        return source, None
    limit = int(current_app.config["MAX_PAGE_EVENTS"])
    if source.count_up_to(flt, limit + 1) <= limit:
        return source, None
    return FirstEvents(source, limit), limit
