"""Loading a dataset folder: metadata, places and events, checked together.

``load_dataset`` either returns a complete, validated Dataset or raises one DataError that
lists every problem; it never returns half a dataset.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import shapely

from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.errors import DataError, Problem
from almaty_map.geodata.memory import release_memory
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.metadata import Metadata, read_metadata
from almaty_map.geodata.model import EVENT_FIELDS, GEO_PRECISIONS, PLACE_FIELDS, TIME_PRECISIONS
from almaty_map.geodata.privacy import coarsen
from almaty_map.geodata.reading import DEFAULT_MAX_BYTES, find_file, read_features
from almaty_map.geodata.validation import (
    CheckedEvents,
    CheckedPlaces,
    check_events,
    check_places,
    duplicate_ids,
)


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

    @cached_property
    def position_by_id(self) -> dict[str, int]:
        return {event_id: i for i, event_id in enumerate(self.events["id"])}

    @cached_property
    def start_ns(self) -> np.ndarray:
        """Event starts as int64 nanoseconds since the epoch, ascending."""
        return self.events["start"].array.asi8

    @cached_property
    def end_ns(self) -> np.ndarray:
        """Exclusive event ends: an event without an end (or ending at its start) is an
        instant, [start, start + 1 ns)."""
        end = self.events["end"].array.asi8
        end = np.where(self.events["end"].isna().to_numpy(), self.start_ns, end)
        return np.maximum(end, self.start_ns + 1)

    @cached_property
    def longest_ns(self) -> int:
        """The longest event, which bounds how far back a time query must look."""
        return int((self.end_ns - self.start_ns).max()) if len(self.events) else 0

    @cached_property
    def search_text(self) -> pd.Series:
        """Title, description, place and actors, case-folded, for text queries."""
        events = self.events
        actors = pd.Series(["\n".join(orjson.loads(v)) for v in events["actors"]], dtype="str")
        joined = events["title"] + "\n" + events["description"] + "\n" + events["place"]
        return (joined + "\n" + actors).str.casefold()


def load_dataset(folder: str | Path = BUNDLED, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Load and validate a dataset folder; raise DataError listing all problems."""
    dataset, problems = inspect_dataset(folder, max_bytes)
    if dataset is None:
        raise DataError(problems)
    return dataset


def inspect_dataset(
    folder: str | Path = BUNDLED, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Dataset | None, list[Problem]]:
    """Validate a dataset folder and build it if it has no errors.

    Returns the dataset (or None) and every problem found, warnings included.
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
    places_path, found = find_file(folder, "places")
    problems += found
    events_path, found = find_file(folder, "events")
    problems += found
    if events_path is None and not found:
        problems.append(
            Problem(
                "events.geojson",
                f"not found in {folder}",
                expected="an events file (GeoJSON, GeoPackage, ...)",
            )
        )
    places = _read_places(places_path, meta, max_bytes, problems)
    place_ids = set(places.columns["id"]) if places else set()
    checked = _check_events(events_path, meta, place_ids, max_bytes, problems)
    if meta is None or checked is None or any(p.severity == "error" for p in problems):
        return None, problems
    paths = [folder / META_FILE, events_path] + ([places_path] if places_path else [])
    dataset = _build(folder, meta, checked, places, paths, problems)
    del checked
    release_memory()
    return dataset, problems


def _read_places(
    path: Path | None, meta: Metadata | None, max_bytes: int, problems: list[Problem]
) -> CheckedPlaces | None:
    if path is None:
        return None
    reading = read_features(path, PLACE_FIELDS, max_bytes, chunk_size=10**9)
    tables = list(reading.chunks)
    problems += reading.problems
    if not tables:
        return None
    checked = check_places(tables[0], meta)
    problems += checked.problems
    return checked


def _check_events(
    path: Path | None,
    meta: Metadata | None,
    place_ids: set[str],
    max_bytes: int,
    problems: list[Problem],
) -> CheckedEvents | None:
    """Check the events chunk by chunk, then what needs the whole file (unique ids)."""
    if path is None:
        return None
    reading = read_features(path, EVENT_FIELDS, max_bytes)
    parts = []
    for table in reading.chunks:
        parts.append(check_events(table, meta, place_ids))
        del table
        release_memory(collect=False)
    problems += reading.problems
    if not parts:
        return None
    checked = CheckedEvents.combine(parts)
    del parts
    checked.problems += duplicate_ids(reading.file, checked.columns["id"], checked.live)
    problems += checked.problems
    return checked


def _build(
    folder: Path,
    meta: Metadata,
    events: CheckedEvents,
    places: CheckedPlaces | None,
    paths: list[Path],
    problems: list[Problem],
) -> Dataset:
    """Sort by (start, id) and keep the columns compactly: text in Arrow, lists, objects and
    geometries as JSON text, so no parsed object outlives the load (the features are
    written from these columns on demand, see ``formats.feature_pieces``)."""
    cols = events.columns
    geoms, geo_precision = coarsen(
        events.geometries(), cols["geo_precision"].to_pylist(), cols["sensitive"]
    )
    sensitive = np.asarray(cols["sensitive"], dtype=bool)
    start = cols["start"].dt.tz_convert(meta.tz)
    end = cols["end"].dt.tz_convert(meta.tz)
    order = (
        pd.DataFrame({"start": start.array.asi8, "id": cols["id"].to_pylist()})
        .sort_values(["start", "id"], kind="stable")
        .index.to_numpy()
    )
    take = pa.array(order)
    if sensitive.any():
        coarse = np.flatnonzero(sensitive)
        texts = cols["geometry_json"].to_pylist()
        for i, shape in zip(coarse, shapely.to_geojson(geoms[coarse]), strict=True):
            texts[i] = shape
        cols["geometry_json"] = pa.array(texts, type=pa.string())

    def text(name: str) -> pd.api.extensions.ExtensionArray:
        """A text column in sorted order; the unsorted one is dropped at once."""
        return pd.array(cols.pop(name).take(take), dtype="str")

    def category(name: str, categories: tuple[str, ...]) -> pd.Categorical:
        return pd.Categorical(cols.pop(name).take(take).to_pylist(), categories=categories)

    frame = gpd.GeoDataFrame(
        {
            "id": text("id"),
            "title": text("title"),
            "description": text("description"),
            "category": category("category", meta.category_ids),
            "start": start.iloc[order].reset_index(drop=True),
            "end": end.iloc[order].reset_index(drop=True),
            "time_precision": category("time_precision", TIME_PRECISIONS),
            "place": text("place"),
            "place_id": text("place_id"),
            "geo_precision": pd.Categorical(
                [geo_precision[i] for i in order], categories=GEO_PRECISIONS
            ),
            "fatalities": pd.array(cols["fatalities"].take(take), dtype="Int64"),
            "actors": text("actors_json"),
            "sources": text("sources_json"),
            "sensitive": sensitive[order],
            "extra": text("extra_json"),
            "geometry_json": text("geometry_json"),
        },
        geometry=gpd.GeoSeries(geoms[order], crs="EPSG:4326"),
    )
    place_frame, place_json = _places_frame(places)
    return Dataset(
        folder=folder,
        meta=meta,
        events=frame,
        places=place_frame,
        place_json=place_json,
        fingerprint=_fingerprint(paths),
        warnings=tuple(problems),
    )


def _places_frame(places: CheckedPlaces | None) -> tuple[gpd.GeoDataFrame, tuple[bytes, ...]]:
    if places is None:
        empty = gpd.GeoDataFrame(
            {name: [] for name in PLACE_FIELDS}, geometry=gpd.GeoSeries([], crs="EPSG:4326")
        )
        return empty, ()
    cols = places.columns
    frame = gpd.GeoDataFrame(
        {name: pd.array(cols[name], dtype=object) for name in (*PLACE_FIELDS, "extra")},
        geometry=gpd.GeoSeries(places.geometry, crs="EPSG:4326"),
    )
    features = []
    for row, geometry in zip(frame.itertuples(index=False), places.geometry_json, strict=True):
        properties = {name: getattr(row, name) for name in PLACE_FIELDS}
        properties.update(row.extra or {})
        features.append(
            orjson.dumps(
                {"type": "Feature", "id": row.id, "geometry": geometry, "properties": properties}
            )
        )
    return frame, tuple(features)


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:20]
