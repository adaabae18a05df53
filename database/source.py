"""The team database as the served source: each request selects its events in SQL.

The server keeps the version's head only (``database.head``); the events a request asks
for are selected by ``database.selection`` on the indexes, in the files' order, and come
back as a Dataset of just those events (``database.subset``). A CQL2 filter is SQL too
(``cql2sql``); one holding what SQL cannot say exactly narrows the candidates by its other
parts, and the project's evaluator decides on them, a block at a time, so a page stops
reading once it is found. numberMatched is exact when counting is cheap (up to
``count_cap`` rows, or the last page), and left out otherwise: never a guess.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    func,
    literal,
    select,
)

from almaty_map.database.condition import Condition, condition
from almaty_map.database.connect import DatabaseUnavailableError
from almaty_map.database.dumping import stored_columns
from almaty_map.database.errors import database_errors
from almaty_map.database.explain import ExplainJson
from almaty_map.database.placeboxes import walk_condition
from almaty_map.database.readplan import read_by, walks
from almaty_map.database.sample import Sizes, read_sample
from almaty_map.database.schema import events, versions
from almaty_map.database.selection import ORDER, at_positions, longest_span
from almaty_map.database.subset import SubsetError, subset_dataset
from almaty_map.geodata.cql2 import CqlFilter, matches
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.source import Selected, StaleSourceError, positions_key

# A selection is counted exactly up to this many events; beyond, a page leaves it out.
COUNT_CAP = 2_000
# A count's probe reads up to this many times the cap before it gives up. The planner
# expects a box, days and categories together to hold fewer events than they do (events
# cluster in place and time: 1,486 expected, 2,707 found at a million), and a probe that
# stopped at the cap was wasted: the page then searched them all again (68 ms; 47 ms
# once the page is taken from the probe's rows).
PROBE_READS = 2
# The fewest candidates a CQL2 filter is first evaluated on when a page is wanted (four
# times the page if more; then doubling).
BLOCK = 256
_COLUMNS = (*stored_columns(events), events.c.position)


@dataclass(frozen=True, eq=False)
class PostgisSource:
    engine: Engine
    dataset: Dataset  # the head: metadata, places, corrections; no events
    count_cap: int = COUNT_CAP
    # The version's longest event, read once (see selection.overlapping).
    _longest: list = field(default_factory=list, repr=False)
    # Its sample (database.sample), read by the first page of a shape filter.
    _sample: list = field(default_factory=list, repr=False)
    _sample_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def select(self, flt: EventFilter) -> Selected:
        with self._connection() as connection:
            found = self._condition(connection, flt)
            rows = _fetch(connection, found.where)
        return self._chosen(rows, None if found.exact else flt.cql)

    def page(self, flt: EventFilter, offset: int, limit: int) -> Selected:
        with self._connection() as connection:
            found = self._condition(connection, flt)
            if not found.exact:
                return self._cql_page(connection, flt, found.where, offset, limit)
            sizes = self._sizes(connection, flt)
            counted = self._counted_page(connection, flt, found.where, offset, limit, sizes)
            if counted is not None:
                return self._chosen(counted[0], None, counted[1])
            where = _read_by(connection, flt, found.where, sizes, offset + limit + 1)
            rows = _fetch(connection, where, offset, limit)
        return self._chosen(rows, None, _last_page_count(rows, offset, limit))

    def count_up_to(self, flt: EventFilter, cap: int) -> int:
        """Exact below ``cap``; a CQL2 filter SQL cannot say whole is evaluated a block at
        a time until then."""
        with self._connection() as connection:
            found = self._condition(connection, flt)
            if found.exact:
                return _count(connection, found.where, cap)
            page = self._cql_page(connection, flt, found.where, 0, cap)
        return cap if page.matched is None else min(page.matched, cap)

    def total(self, flt: EventFilter) -> int:
        """Every event the filter selects, counted however long it takes (for a message)."""
        with self._connection() as connection:
            found = self._condition(connection, flt)
            if found.exact:
                return _count(connection, found.where, None)
        return len(self.select(flt).positions)

    def feature(self, event_id: str) -> Selected | None:
        """The event with this id; None for an id no text in PostgreSQL can hold (a NUL),
        which the database would refuse rather than not find."""
        if "\x00" in event_id:
            return None
        with self._connection() as connection:
            rows = _fetch(connection, events.c.id == event_id)
        return self._chosen(rows, None, 1) if rows else None

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection whose every fault is DatabaseUnavailableError (answered with 503),
        in one snapshot that holds this source's version: the events then belong to the
        head they are read with, and a newer version is StaleSourceError."""
        with (
            database_errors(self.engine.url),
            self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            ) as connection,
            connection.begin(),
        ):
            if _prepared(connection) != self.dataset.fingerprint:
                raise StaleSourceError(
                    f"the database holds a newer version than {self.dataset.fingerprint}"
                )
            yield connection

    def _condition(self, connection: Connection, flt: EventFilter) -> Condition:
        """The filter in SQL, with the version's longest event as a constant."""
        if (flt.start is not None or flt.cql is not None) and not self._longest:
            self._longest.append(longest_span(connection))
        longest = self._longest[0] if self._longest else None
        return condition(flt, self.dataset.meta.tz, longest)

    def _counted_page(
        self,
        connection: Connection,
        flt: EventFilter,
        where: ColumnElement[bool],
        offset: int,
        limit: int,
        sizes: Sizes | None,
    ) -> tuple[list[dict], int | None] | None:
        """The page with its exact count, when counting is cheap: every event for no filter
        (the version's count); else when at most ``count_cap`` rows are expected (by the
        sample for a shape filter, which also chooses how they are read; by the planner
        for the others), in one pass over them (a count that stops past ``PROBE_READS``
        times the cap, so a wrong estimate costs little more). The pass keeps each row's
        place in the order, so the page is then read by position rather than found a
        second time; past the cap the count is left out, as for any page. None when there
        are more."""
        if flt == EventFilter():
            rows = _fetch(connection, where, offset, limit)
            return rows, self.dataset.event_count
        bound = PROBE_READS * self.count_cap
        expected = _estimate(connection, where) if sizes is None else sizes.kept
        if expected > self.count_cap:
            return None
        probed = _read_by(connection, flt, where, sizes, bound + 1)
        probe = select(events.c.position, *ORDER).where(probed).limit(bound + 1)
        found = connection.execute(probe).all()
        if len(found) > bound:
            return None
        found.sort(key=lambda row: (row[1], row[2]))  # the files' order: ids by code point
        rows = _fetch_at(connection, [row[0] for row in found[offset : offset + limit]])
        if len(found) <= self.count_cap:
            return rows, len(found)
        return rows, _last_page_count(rows, offset, limit)

    def _sizes(self, connection: Connection, flt: EventFilter) -> Sizes | None:
        """What the sample expects a shape filter to read (None for other filters, which
        PostgreSQL's statistics size well)."""
        if flt.cql is None and flt.bbox is None:
            return None
        if not self._sample:
            with self._sample_lock:  # one read, however many requests come first at once
                if not self._sample:
                    self._sample.append(read_sample(connection, self.dataset))
                    # It lives as long as the version: out of the collector's sight, as
                    # what the server's start made (``cli.serve``), a full collection no
                    # longer walks it (21-29 ms, every forty requests, before).
                    gc.freeze()
        return self._sample[0].sizes(flt)

    def _chosen(
        self, rows: list[dict], cql: CqlFilter | None, matched: int | None = None
    ) -> Selected:
        """The rows as a Dataset; with a CQL2 filter to evaluate, the positions it keeps."""
        try:
            subset = subset_dataset(self.dataset, rows)
        except SubsetError as error:
            raise DatabaseUnavailableError(
                f"The events in the database do not read as the version being served "
                f"({error}): a new version is being switched to, or the tables were "
                "changed by hand"
            ) from None
        stored = np.array([row["position"] for row in rows], dtype=np.int64)
        kept = np.arange(len(rows))
        if cql is not None:
            kept = np.flatnonzero(matches(subset, cql))
        if matched is None and cql is not None:
            matched = len(kept)
        return Selected(subset, kept, positions_key(stored[kept]), matched)

    def _cql_page(
        self,
        connection: Connection,
        flt: EventFilter,
        where: ColumnElement[bool],
        offset: int,
        limit: int,
    ) -> Selected:
        """Candidates (``where`` narrows them) a block at a time, doubling, until one more
        than the page is found; the count is exact only when every candidate was read."""
        wanted, start, block = offset + limit + 1, 0, max(BLOCK, 4 * (offset + limit + 1))
        kept: list[dict] = []
        exhausted = False
        while len(kept) < wanted and not exhausted:
            rows = _fetch(connection, where, start, block)
            exhausted = len(rows) < block
            found = self._chosen(rows, flt.cql)
            kept += [rows[int(i)] for i in found.positions]  # SQL order is the frame's
            start, block = start + block, block * 2
        page = self._chosen(kept[offset : offset + limit], None)
        return Selected(page.dataset, page.positions, page.key, len(kept) if exhausted else None)


def _read_by(
    connection: Connection,
    flt: EventFilter,
    where: ColumnElement[bool],
    sizes: Sizes | None,
    wanted: int,
) -> ColumnElement[bool]:
    """``where`` for finding its first ``wanted`` events by the plan the sample's sizes
    choose (``readplan``): for a walk, with the boxes its place implies; without sizes, as
    the planner chooses."""
    if sizes is None:
        return where
    walk = walks(sizes, wanted)
    read_by(connection, walk)
    return and_(where, walk_condition(flt)) if walk else where


def _fetch(
    connection: Connection, where: ColumnElement[bool], offset: int = 0, limit: int | None = None
) -> list[dict]:
    query = select(*_COLUMNS).where(where).order_by(*ORDER).offset(offset).limit(limit)
    return [dict(row) for row in connection.execute(query).mappings()]


def _fetch_at(connection: Connection, positions: list[int]) -> list[dict]:
    """The rows at these positions, in that order: sorted here rather than by PostgreSQL,
    whose sort a walk's plan (``readplan``) has switched off."""
    if not positions:
        return []
    found = connection.execute(select(*_COLUMNS).where(at_positions(positions))).mappings()
    rows = {row["position"]: dict(row) for row in found}
    return [rows[position] for position in positions]


def _last_page_count(rows: list[dict], offset: int, limit: int) -> int | None:
    """The count a page gives for free: the last page's (None for any other)."""
    if len(rows) < limit and (rows or offset == 0):
        return offset + len(rows)
    return None


def _prepared(connection: Connection) -> str | None:
    """Set the transaction up for short reads and return the newest version's fingerprint,
    in one round trip (each costs a request a millisecond when the machine is busy).

    Compiling a plan to machine code, or starting a parallel worker, takes longer than a
    page takes to find, and a server answers requests side by side anyway. The driver
    prepares a statement run five times, and PostgreSQL then plans it once for any values:
    a box page found in 2 ms took 80 ms on that plan, so every plan is made for its values.
    """
    settings = {"jit": "off", "max_parallel_workers_per_gather": "0"}
    settings["plan_cache_mode"] = "force_custom_plan"
    newest = select(versions.c.fingerprint).order_by(versions.c.number.desc()).limit(1)
    applied = [func.set_config(name, value, True) for name, value in settings.items()]
    return connection.execute(select(newest.scalar_subquery(), *applied)).scalar()


def _estimate(connection: Connection, where: ColumnElement[bool]) -> float:
    """The rows the planner expects to pass (from its statistics; no row is read)."""
    query = select(literal(1)).select_from(events).where(where)
    plan = connection.execute(ExplainJson(query)).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


def _count(connection: Connection, where: ColumnElement[bool], cap: int | None) -> int:
    """How many rows pass, reading no more than ``cap`` of them (None: all)."""
    probe = select(literal(1)).select_from(events).where(where).limit(cap).subquery()
    return int(connection.execute(select(func.count()).select_from(probe)).scalar_one())
