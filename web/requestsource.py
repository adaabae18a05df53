"""A request's source: each filter selected once for the whole request, from the version
being served even while a new one is switched to.

A map is selected to key its cache, and again to render it (twice over, for its title), and
a download counts its selection before writing it: from the database each of those would
be a query and a Dataset built anew. Within one request the data cannot change (the store
swaps whole sources), so the first selection is kept until the request ends. A database
that already holds a newer version than the one served (loaded, not yet switched to) says
so; the store then reads the new version and the request is answered from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.source import Selected, Source, StaleSourceError

T = TypeVar("T")


@dataclass(eq=False)
class SelectedOnce:
    source: Source
    # The store's current source after reading the newest version.
    renew: Callable[[], Source]
    # By the filter's repr (and a page's bounds): a CQL2 tree is not hashable, its repr
    # names all of it.
    chosen: dict[str, Selected] = field(default_factory=dict)

    @property
    def dataset(self) -> Dataset:
        return self.source.dataset

    def select(self, flt: EventFilter) -> Selected:
        key = repr(flt)
        if key not in self.chosen:
            self.chosen[key] = self._asked(lambda source: source.select(flt))
        return self.chosen[key]

    def page(self, flt: EventFilter, offset: int, limit: int) -> Selected:
        key = f"{flt!r} {offset} {limit}"
        if key not in self.chosen:
            self.chosen[key] = self._asked(lambda source: source.page(flt, offset, limit))
        return self.chosen[key]

    def count_up_to(self, flt: EventFilter, cap: int) -> int:
        found = self.chosen.get(repr(flt))
        if found is not None:
            return min(len(found.positions), cap)
        return self._asked(lambda source: source.count_up_to(flt, cap))

    def total(self, flt: EventFilter) -> int:
        found = self.chosen.get(repr(flt))
        if found is not None:
            return len(found.positions)
        return self._asked(lambda source: source.total(flt))

    def feature(self, event_id: str) -> Selected | None:
        return self._asked(lambda source: source.feature(event_id))

    def _asked(self, ask: Callable[[Source], T]) -> T:
        """``ask(source)``, once more from the newest version if this one was replaced."""
        try:
            return ask(self.source)
        except StaleSourceError:
            self.source = self.renew()
            return ask(self.source)
