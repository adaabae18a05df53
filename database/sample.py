"""One event in every ``stride`` of the served version, held in memory, to size a shape
filter's reads before PostgreSQL plans them.

PostgreSQL sizes a condition from its statistics, which know a polygon only by its box and
a circle measured on the ellipsoid not at all. Events cluster (incidents do), so on the
synthetic million a triangle whose box holds 17,030 events of its days meets 1,320 of them:
the planner expected three to thirteen times too many for polygons and 1.5 to 3 times too
few for circles. The plan it then chose was wrong for the slowest tenth of the CQL2 pages:
walking the days in time order and testing every event until a page is found (the
triangle: 154 ms) where gathering its box's events and sorting them takes 20 ms, or the
other way round (a wide circle: 48 ms gathered, 16 walked).

The sample is evaluated by the files' own filter code (``geodata.filtering``), so it sizes
the filter the database reads, shapes, times, categories and numbers alike. It is read
once per version, on the first request that needs it, by primary key, without the
events' longest texts (their descriptions and sources): at a million, the sample read
whole added 52 MB to the server's memory and 0.47 s to that request, without them 12 MB
and 0.3 s. A filter on those texts is left to the planner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from pygeofilter import ast
from sqlalchemy import Connection, literal, select

from almaty_map.database.cql2sql import conjuncts
from almaty_map.database.dumping import stored_columns
from almaty_map.database.placeboxes import filter_boxes
from almaty_map.database.schema import events
from almaty_map.database.selection import at_positions
from almaty_map.database.subset import subset_dataset
from almaty_map.geodata import filtering
from almaty_map.geodata.cql2 import CqlFilter
from almaty_map.geodata.cql2spacetime import TEMPORAL
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter

# The texts the sample holds empty, and the filter properties read from them.
UNREAD = {"description": "", "sources": "[]"}
UNSIZED = frozenset({"description", "publications"})
# About this many events are held. The counts that decide a plan are hundreds to thousands
# of events: a sample of one in a hundred sizes them to a few tens of per cent, which is
# what a choice between two plans a factor of several apart needs.
SAMPLE_SIZE = 10_000


def stride_for(event_count: int) -> int:
    """One event in how many is sampled: every one for a version of up to ``SAMPLE_SIZE``."""
    return max(1, event_count // SAMPLE_SIZE)


@dataclass(frozen=True)
class Sizes:
    """How many events of the version a filter's reads meet, as the sample expects them."""

    kept: float  # pass the whole filter
    days: float  # pass its times: the index entries a walk in time order passes, at most
    near: float  # pass its times and meet its walk boxes: the events a walk reads, at most
    boxed: float  # pass its times and meet its boxes: what the GiST index gathers


@dataclass(frozen=True, eq=False)
class EventSample:
    """The sampled events (a Dataset the files' code reads) and one in how many they are."""

    dataset: Dataset
    stride: int

    def sizes(self, flt: EventFilter) -> Sizes | None:
        """The filter's sizes; None for one bringing no box to the GiST index, whose times
        and categories PostgreSQL's statistics size well, and for one reading text the
        sample does not hold."""
        parts = filter_boxes(flt)
        if not parts or flt.text is not None or _names(flt) & UNSIZED:
            return None
        timed = np.zeros(len(self.dataset.events), dtype=bool)
        timed[filtering.select(self.dataset, _times_of(flt))] = True
        meeting = self.dataset.event_boxes.within
        near, boxed = timed.copy(), timed.copy()
        for part in parts:
            if part.walked is not None:
                near &= meeting(part.walked)
            met = np.zeros_like(timed)  # an event meets one of the part's gathered boxes
            for box in part.gathered:
                met |= meeting(box)
            boxed &= met
        kept = len(filtering.select(self.dataset, flt))
        return Sizes(
            kept=kept * self.stride,
            days=int(timed.sum()) * self.stride,
            near=int(near.sum()) * self.stride,
            boxed=int(boxed.sum()) * self.stride,
        )


def _times_of(flt: EventFilter) -> EventFilter:
    """Only the filter's times: the datetime parameter and the top-level temporal parts."""
    timed = [
        node
        for node in (conjuncts(flt.cql.node) if flt.cql is not None else [])
        if isinstance(node, ast.Function) and node.name in TEMPORAL
    ]
    cql = None
    if timed:
        node = functools.reduce(ast.And, timed)
        cql = CqlFilter(node, flt.cql.collection, flt.cql.filter_crs)
    return EventFilter(start=flt.start, end=flt.end, cql=cql)


def read_sample(connection: Connection, head: Dataset) -> EventSample:
    """One event in every ``stride_for`` of the version ``head`` heads, by position."""
    stride = stride_for(head.event_count)
    positions = list(range(0, head.event_count, stride))
    columns = [
        literal(UNREAD[c.name]).label(c.name) if c.name in UNREAD else c
        for c in stored_columns(events)
    ]
    query = select(*columns, events.c.position).where(at_positions(positions))
    rows = [dict(row) for row in connection.execute(query).mappings()]
    return EventSample(subset_dataset(head, rows), stride)


def _names(flt: EventFilter) -> set[str]:
    """The properties the filter's CQL2 part reads."""
    names, pending = set(), [flt.cql.node] if flt.cql is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Attribute):
            names.add(node.name)
        elif isinstance(node, ast.Node):
            pending += node.get_sub_nodes()
    return names
