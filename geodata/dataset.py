"""Loading a dataset folder: metadata, places and events, checked together.

``load_dataset`` either returns a complete, validated Dataset or raises one DataError that
lists every problem; it never returns half a dataset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pyarrow as pa

from almaty_map.geodata.bbox import BoxIndex
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.checks.events import check_events
from almaty_map.geodata.checks.ids import duplicate_ids
from almaty_map.geodata.checks.places import CheckedPlaces, check_places
from almaty_map.geodata.checks.spread import far_points
from almaty_map.geodata.compact import CompactEvents, compact_events, events_frame, places_frame
from almaty_map.geodata.corrections import FILE as CORRECTIONS_FILE
from almaty_map.geodata.corrections import Correction, read_corrections
from almaty_map.geodata.errors import DataError, Problem
from almaty_map.geodata.eventsummary import EventSummary, LaterSummary, summarise
from almaty_map.geodata.formats import written_columns
from almaty_map.geodata.intervals import exclusive_ends
from almaty_map.geodata.memory import collector_paused, release_memory
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.metadata import Metadata, read_metadata
from almaty_map.geodata.model import EVENT_FIELDS, LEGACY_NAME_FIELDS, PLACE_FIELDS
from almaty_map.geodata.readers.files import DEFAULT_MAX_BYTES, find_file, read_features
from almaty_map.geodata.readers.filetypes import ACCEPTED
from almaty_map.geodata.readers.rows import Layout
from almaty_map.geodata.readers.table import CHUNK_SIZE, empty_table
from almaty_map.geodata.regularfile import UnreadableFileError, open_regular


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated dataset: events sorted by (start, id), places, metadata."""

    folder: Path
    meta: Metadata
    events: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    place_json: tuple[bytes, ...] = field(repr=False)
    fingerprint: str = ""
    warnings: tuple[Problem, ...] = ()
    corrections: tuple[Correction, ...] = ()
    # The files it was read from (names in ``folder``), so a report can say which were used.
    files: tuple[str, ...] = ()
    # For a Dataset holding only some of a version's events (the database serves those a
    # request selects): what is known of all of them, worked out when first asked.
    summary: LaterSummary | None = field(default=None, repr=False)

    @cached_property
    def whole(self) -> EventSummary:
        """Count, extent and corrected titles of every event of the version."""
        return self.summary.read() if self.summary is not None else summarise(self)

    @property
    def event_count(self) -> int:
        """How many events the version has (without reading its extent)."""
        return self.summary.count if self.summary is not None else len(self.events)

    @cached_property
    def position_by_id(self) -> dict[str, int]:
        return {event_id: i for i, event_id in enumerate(self.events["id"])}

    @cached_property
    def event_boxes(self) -> BoxIndex:
        return BoxIndex.of(self.events.geometry.array)

    @cached_property
    def place_boxes(self) -> BoxIndex:
        return BoxIndex.of(self.places.geometry.array)

    @cached_property
    def category_codes(self) -> np.ndarray:
        """Each event's category as its position in the metadata's list (a lookup in a
        table of the wanted ones then selects by category in a pass of small integers)."""
        return self.events["category"].cat.codes.to_numpy()

    @cached_property
    def written(self) -> pa.Table:
        """The events' properties as the API and the downloads write them."""
        return written_columns(self.events)

    @cached_property
    def start_ns(self) -> np.ndarray:
        """Event starts as int64 nanoseconds since the epoch, ascending."""
        return self.events["start"].array.asi8

    @cached_property
    def end_ns(self) -> np.ndarray:
        """Event ends as int64 nanoseconds, exclusive (see ``intervals``)."""
        return exclusive_ends(self.start_ns, self.events["end"])

    @cached_property
    def longest_ns(self) -> int:
        """The longest event, which bounds how far back a time query must look. (Up to 584
        years: more than int64 nanoseconds hold, but not uint64, which subtracts the int64
        times correctly modulo 2**64.)"""
        if not len(self.events):
            return 0
        return int((self.end_ns.astype(np.uint64) - self.start_ns.astype(np.uint64)).max())

    @cached_property
    def actor_names(self) -> pa.ListArray:
        """Each event's actors as an Arrow list of names, for text queries: a few bytes per
        name (the frame keeps them as JSON text, which a search must not match across)."""
        return pa.array((orjson.loads(v) for v in self.events["actors"]), pa.list_(pa.string()))


def load_dataset(folder: str | Path = BUNDLED, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Load and validate a dataset folder; raise DataError listing all problems."""
    dataset, problems = inspect_dataset(folder, max_bytes)
    if dataset is None:
        raise DataError(problems)
    return dataset


def inspect_dataset(
    folder: str | Path = BUNDLED,
    max_bytes: int = DEFAULT_MAX_BYTES,
    each_chunk: Callable[[CompactEvents], None] | None = None,
) -> tuple[Dataset | None, list[Problem]]:
    """Validate a dataset folder and build it if it has no errors.

    Returns the dataset (or None) and every problem found, warnings included. Every file is
    checked even after another one failed, so one run reports everything. ``each_chunk`` is
    given each chunk of events as checked (file order, before coarsening), so a database
    load writes them while the next chunk is read instead of reading the file twice.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None, [
            Problem(
                str(folder),
                "is not a folder",
                expected="a dataset folder with dataset.toml and events.geojson",
            )
        ]
    meta, problems = read_metadata(folder)
    places_path, events_path = _layer_files(folder, problems)
    with collector_paused():
        places = _read_places(places_path, meta, max_bytes, problems)
        place_ids = set(places.columns["id"]) if places else set()
        events = _read_events(events_path, meta, place_ids, max_bytes, problems, each_chunk)
    event_ids = set(events.columns["id"].to_pylist()) if events is not None else set()
    corrections, found = read_corrections(folder, event_ids)
    problems += found
    if meta is None or events is None or any(p.severity == "error" for p in problems):
        return None, problems
    paths = [folder / META_FILE, events_path] + ([places_path] if places_path else [])
    paths += [path for path in [folder / CORRECTIONS_FILE] if path.is_file()]
    try:
        fingerprint = _fingerprint(paths, max_bytes)
    except UnreadableFileError as exc:  # changed since it was read
        return None, [*problems, exc.problem(str(folder))]
    dataset = _build(folder, meta, events, places, paths, problems, fingerprint, corrections)
    # A file of less than a chunk leaves little to give back, and a collection walks every
    # object the process holds: half a second of a busy server's desk check of one event.
    large = len(events.live) >= CHUNK_SIZE
    del events
    if large:
        release_memory()
    return dataset, problems


def _layer_files(folder: Path, problems: list[Problem]) -> tuple[Path | None, Path | None]:
    """The places file (optional) and the events file (required)."""
    places_path, found = find_file(folder, "places")
    problems += found
    events_path, found = find_file(folder, "events")
    problems += found
    if events_path is None and not found:
        problems.append(
            Problem(
                "events.geojson",
                f"not found in {folder}",
                expected=f"an events file: {ACCEPTED}",
            )
        )
    return places_path, events_path


def _read_places(
    path: Path | None, meta: Metadata | None, max_bytes: int, problems: list[Problem]
) -> CheckedPlaces | None:
    """Places are few: read in one table, so their ids are known before the events."""
    if path is None:
        return None
    fields = (*PLACE_FIELDS, *LEGACY_NAME_FIELDS)
    reading = read_features(path, fields, max_bytes, 10**9, _layout(meta, places=True))
    tables = list(reading.chunks)
    problems += [reading.locate(p) for p in reading.problems]
    if not tables:
        return None
    checked = check_places(tables[0], meta)
    problems += [reading.locate(p) for p in checked.problems]
    return checked


def _layout(meta: Metadata | None, places: bool = False) -> Layout:
    """How a table is read: the dataset's column mapping is the events' (places are read by
    their field names), and local times are in its timezone."""
    if meta is None:
        return Layout()
    return Layout(Layout().columns if places else meta.columns, meta.tz)


def _read_events(
    path: Path | None,
    meta: Metadata | None,
    place_ids: set[str],
    max_bytes: int,
    problems: list[Problem],
    each_chunk: Callable[[CompactEvents], None] | None = None,
) -> CompactEvents | None:
    """Parse, check and compact the events chunk by chunk (so only one chunk's Python
    objects are alive at a time), then check what needs the whole file (unique ids)."""
    if path is None:
        return None
    reading = read_features(path, EVENT_FIELDS, max_bytes, layout=_layout(meta))
    parts = []
    for table in reading.chunks:
        parts.append(compact_events(check_events(table, meta, place_ids)))
        if each_chunk is not None:
            each_chunk(parts[-1])
        del table
        release_memory(collect=False)
    problems += [reading.locate(p) for p in reading.problems]
    if any(p.severity == "error" for p in reading.problems):
        return None
    if not parts:  # a collection without features: valid, and a map with nothing on it
        parts.append(
            compact_events(check_events(empty_table(reading.file, EVENT_FIELDS), meta, place_ids))
        )
    events = CompactEvents.combine(parts)
    del parts
    events.problems += duplicate_ids(reading.file, events.columns["id"], events.live)
    if meta is not None and meta.extent is None:
        events.problems += _far_points(reading.file, events)
    if not len(events.live):
        events.problems.append(
            Problem(
                reading.file,
                "has no features, so the map will be empty",
                expected="at least one event",
                severity="warning",
            )
        )
    problems += [reading.locate(p) for p in events.problems]
    return events


def _far_points(file: str, events: CompactEvents) -> list[Problem]:
    cols = events.columns
    x, y = np.asarray(cols["x"], dtype=float), np.asarray(cols["y"], dtype=float)
    ids = cols["id"].to_pylist()
    return far_points(file, ids, x, y, events.live & cols["is_point"], cols["sensitive"])


def _build(
    folder: Path,
    meta: Metadata,
    events: CompactEvents,
    places: CheckedPlaces | None,
    paths: list[Path],
    problems: list[Problem],
    fingerprint: str,
    corrections: tuple[Correction, ...],
) -> Dataset:
    place_frame, place_json = places_frame(places)
    return Dataset(
        folder=folder,
        meta=meta,
        events=events_frame(events, meta),
        places=place_frame,
        place_json=place_json,
        fingerprint=fingerprint,
        warnings=tuple(problems),
        files=tuple(path.name for path in paths),
        corrections=corrections,
    )


def _fingerprint(paths: list[Path], max_bytes: int) -> str:
    """A short digest of the files a Dataset was built from, to tell when they change."""
    digest = hashlib.sha256()
    for path in paths:
        with open_regular(path, max_bytes) as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:20]
