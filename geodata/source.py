"""The served source of events: what the pages, the API and the exports ask for a selection.

A request asks for the events a filter selects (or a page of them) and gets a Dataset that
holds at least those events, with their positions in it. Files keep every event in memory
(``MemorySource``): the Dataset is the whole one and the positions point into it. The team
database (``database.source``) selects in SQL and builds a Dataset of just the selected
events, in the same frame files give, so maps, downloads and the API write the same bytes
whichever backend served them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter, select, select_page


class StaleSourceError(RuntimeError):
    """The version a source serves was replaced (a new one was loaded, and this server has
    not switched yet): the caller asks for the current source and asks again."""


@dataclass(frozen=True, eq=False)
class Selected:
    """Events a filter selects: ``positions`` into ``dataset``, chronological."""

    dataset: Dataset
    positions: np.ndarray
    # Names which events these are (not the filter that found them), for a map's cache key.
    key: str
    # How many events the filter selects in all, for a page; None when counting them would
    # have cost more than finding the page.
    matched: int | None = None


class Source(Protocol):
    @property
    def dataset(self) -> Dataset:
        """The metadata, categories, places and corrections (every event only in memory)."""
        ...

    def select(self, flt: EventFilter) -> Selected:
        """Every event the filter selects."""
        ...

    def page(self, flt: EventFilter, offset: int, limit: int) -> Selected:
        """The selected events from ``offset`` (at most ``limit``), and ``matched``."""
        ...

    def count_up_to(self, flt: EventFilter, cap: int) -> int:
        """How many events the filter selects, counting no further than ``cap``."""
        ...

    def total(self, flt: EventFilter) -> int:
        """How many events the filter selects, however long counting takes."""
        ...

    def feature(self, event_id: str) -> Selected | None:
        """The event with this id, or None."""
        ...


def positions_key(positions: np.ndarray) -> str:
    """A short digest naming the events at ``positions`` of one version."""
    data = np.ascontiguousarray(np.asarray(positions, dtype=np.int64)).tobytes()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, eq=False)
class MemorySource:
    """A Dataset holding every event (files, or a version read whole for the CLI)."""

    dataset: Dataset

    def select(self, flt: EventFilter) -> Selected:
        positions = select(self.dataset, flt)
        return Selected(self.dataset, positions, positions_key(positions), len(positions))

    def page(self, flt: EventFilter, offset: int, limit: int) -> Selected:
        found = select_page(self.dataset, flt, offset, limit)
        return Selected(
            self.dataset, found.positions, positions_key(found.positions), found.matched
        )

    def count_up_to(self, flt: EventFilter, cap: int) -> int:
        return min(self.total(flt), cap)

    def total(self, flt: EventFilter) -> int:
        return len(select(self.dataset, flt))

    def feature(self, event_id: str) -> Selected | None:
        found = self.dataset.position_by_id.get(event_id)
        if found is None:
            return None
        positions = np.array([found], dtype=np.int64)
        return Selected(self.dataset, positions, positions_key(positions), 1)


def as_source(data: Dataset | Source) -> Source:
    """A Source for what a caller holds: a whole Dataset (the CLI, tests) or a Source."""
    return MemorySource(data) if isinstance(data, Dataset) else data
