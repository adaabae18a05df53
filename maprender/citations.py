"""The events' sources for the page: read from their JSON texts into one column per field,
written back as rows of string codes, and ranked into the list of works the map cites.

A 100,000-event map has some 150,000 sources. Each is parsed once (orjson, a batch of
events per call) and everything after that runs over whole columns: each field is read with
``map(dict.get, ...)`` (a C loop, not a Python call per source), the codes are cut and
counted with numpy, and the cited works are ranked by an Arrow sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from almaty_map.geodata.model import SOURCE_FIELDS

_KNOWN = frozenset(SOURCE_FIELDS)
CITED_LIMIT = 200
_CITED = ("publication", "title", "url")


def json_column(series: pd.Series) -> list:
    """Parse a column of JSON texts in one call (one document) rather than one per row."""
    return orjson.loads("[" + ",".join(series.tolist()) + "]") if len(series) else []


@dataclass
class Sources:
    """The events' sources as columns: each field's values over every source in order,
    the keys beyond SOURCE_FIELDS of the sources that have any (by the source's place in
    that order), and how many sources each event has."""

    values: dict[str, list]
    others: dict[int, dict]
    counts: list[int]


def read_sources(column: pd.Series, batch: int = 10_000) -> Sources:
    """Read a batch of events at a time, so the sources of 100,000 events are never all
    alive as dictionaries."""
    found = Sources({name: [] for name in SOURCE_FIELDS}, {}, [])
    for start in range(0, len(column), batch):
        events = json_column(column.iloc[start : start + batch])
        found.counts += map(len, events)
        flat = list(chain.from_iterable(events))
        del events
        before = len(found.values[SOURCE_FIELDS[0]])
        for name in SOURCE_FIELDS:
            found.values[name] += map(dict.get, flat, repeat(name))
        plain = np.fromiter(map(_KNOWN.issuperset, flat), dtype=bool, count=len(flat))
        for i in np.flatnonzero(~plain).tolist():
            found.others[before + i] = {k: v for k, v in flat[i].items() if k not in _KNOWN}
    return found


def source_entries(others: dict[int, dict], fields: list[np.ndarray]) -> list[list]:
    """Each source as its string codes in SOURCE_FIELDS order, trailing -1s dropped; a
    source with other keys keeps all its codes and has them as an object at the end."""
    codes = np.column_stack(fields) if fields else np.empty((0, 0), dtype=np.int64)
    present = codes != -1
    lengths = np.where(present.any(axis=1), codes.shape[1] - present[:, ::-1].argmax(axis=1), 0)
    rows = codes.tolist()
    entries = [row[:n] for row, n in zip(rows, lengths.tolist(), strict=True)]
    for i, other in others.items():
        entries[i] = [*rows[i], other]
    return entries


def cited_works(
    table: list, publication: np.ndarray, title: np.ndarray, url: np.ndarray
) -> list[dict[str, str]]:
    """Each cited work (publication, title, url) once, most cited first, ties in the order
    of their texts (a missing one as empty), for the credits block."""
    codes = pa.table(dict(zip(_CITED, (publication, title, url), strict=True)))
    works = codes.group_by(list(_CITED), use_threads=False).aggregate([([], "count_all")])
    triples = np.column_stack([works[key].to_numpy() for key in _CITED])
    # The codes in use, ascending: counted in one pass (codes are small and dense), not sorted.
    used = np.flatnonzero(np.bincount(triples[triples >= 0], minlength=len(table)))
    words = pa.array([table[i] for i in used.tolist()], type=pa.large_string())

    def texts(codes: np.ndarray) -> pa.Array:
        at = pa.array(np.searchsorted(used, codes), mask=codes < 0)
        return words.take(at).fill_null("")

    ranking = {key: texts(triples[:, k]) for k, key in enumerate(_CITED)}
    # Ties in every text are left in the groups' order, as a stable sort would leave them:
    # with that as the last key, the first CITED_LIMIT are picked without sorting them all.
    order = pa.array(np.arange(len(triples)))
    ranking = pa.table({"n": works["count_all"], **ranking, "order": order})
    keys = [("n", "descending")] + [(key, "ascending") for key in (*_CITED, "order")]
    top = triples[pc.select_k_unstable(ranking, CITED_LIMIT, sort_keys=keys).to_numpy()]
    return [
        {key: None if code < 0 else table[code] for key, code in zip(_CITED, row, strict=True)}
        for row in top.tolist()
    ]
