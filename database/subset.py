"""A Dataset of only the events a request selected from the database.

The rows are written as the GeoJSON features a dump writes and read back by the files' own
reader, checks and compaction, so every derived column (coarsened sensitive shapes, times in
the dataset's timezone, the written properties) is made by the same code as for files, and
the pages, the API and the exports write the same bytes from either backend. The head (the
version's metadata, places and corrections, see ``database.head``) is shared, not rebuilt.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable

from almaty_map.database.dumping import event_feature
from almaty_map.geodata.checks.events import check_events
from almaty_map.geodata.compact import CompactEvents, compact_events, events_frame
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.model import EVENT_FIELDS
from almaty_map.geodata.readers.geojson import read_geojson
from almaty_map.geodata.readers.table import CHUNK_SIZE, empty_table

FILE = "events.geojson"


class SubsetError(RuntimeError):
    """Rows of a loaded version that no longer read as valid events: the database was
    changed by hand, since ``db load`` checks every event before it is stored."""


def subset_dataset(head: Dataset, rows: Iterable[dict]) -> Dataset:
    """``head`` with the events of ``rows`` (in any order: the frame sorts them)."""
    collection = _collection(event_feature(row) for row in rows)
    problems: list[Problem] = []
    place_ids = set(head.places["id"]) if len(head.places) else set()
    parts = [
        compact_events(check_events(table, head.meta, place_ids))
        for table in read_geojson(io.BytesIO(collection), FILE, EVENT_FIELDS, problems, CHUNK_SIZE)
    ]
    if not parts:
        parts = [
            compact_events(check_events(empty_table(FILE, EVENT_FIELDS), head.meta, place_ids))
        ]
    events = CompactEvents.combine(parts)
    problems += [p for p in events.problems if p.severity == "error"]
    if problems:
        raise SubsetError(f"the stored events do not read back: {problems[0]}")
    return dataclasses.replace(head, events=events_frame(events, head.meta), warnings=())


def _collection(features: Iterable[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b'{"type":"FeatureCollection","features":[\n')
    for k, feature in enumerate(features):
        out.write((b",\n" if k else b"") + feature)
    out.write(b"\n]}\n")
    return out.getvalue()
