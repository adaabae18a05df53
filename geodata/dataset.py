"""Loading a dataset folder: metadata, places and events, checked together.

``load_dataset`` either returns a complete, validated Dataset or raises one DataError that
lists every problem; it never returns half a dataset.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from geodata.errors import DataError, Problem
from geodata.memory import release_memory
from geodata.metadata import FILE as META_FILE
from geodata.metadata import Metadata, read_metadata
from geodata.model import EVENT_FIELDS, GEO_PRECISIONS, PLACE_FIELDS, TIME_PRECISIONS
from geodata.privacy import coarsen
from geodata.reading import DEFAULT_MAX_BYTES, RawTable, find_file, read_features
from geodata.validation import CheckedEvents, CheckedPlaces, check_events, check_places

BUNDLED = Path(__file__).parent / "datasets" / "almaty-2022"


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
        actors = pd.Series(["\n".join(orjson.loads(v)) for v in events["actors"]],
                           dtype="str")
        joined = events["title"] + "\n" + events["description"] + "\n" + events["place"]
        return (joined + "\n" + actors).str.casefold()


def load_dataset(folder: str | Path = BUNDLED, max_bytes: int = DEFAULT_MAX_BYTES) -> Dataset:
    """Load and validate a dataset folder; raise DataError listing all problems."""
    dataset, problems = inspect_dataset(folder, max_bytes)
    if dataset is None:
        raise DataError(problems)
    return dataset


def inspect_dataset(folder: str | Path = BUNDLED, max_bytes: int = DEFAULT_MAX_BYTES
                    ) -> tuple[Dataset | None, list[Problem]]:
    """Validate a dataset folder and build it if it has no errors.

    Returns the dataset (or None) and every problem found, warnings included.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None, [Problem(str(folder), "is not a folder",
                              expected="a dataset folder with dataset.toml and events.geojson")]
    meta, problems = read_metadata(folder)
    places_path, found = find_file(folder, "places")
    problems += found
    events_path, found = find_file(folder, "events")
    problems += found
    if events_path is None and not found:
        problems.append(Problem("events.geojson", f"not found in {folder}",
                                expected="an events file (GeoJSON, GeoPackage, ...)"))
    places = _read(places_path, PLACE_FIELDS, max_bytes, problems)
    checked_places = check_places(places, meta) if places and places.broken is not None else None
    if checked_places:
        problems += checked_places.problems
    place_ids = set(checked_places.columns["id"]) if checked_places else set()
    events = _read(events_path, EVENT_FIELDS, max_bytes, problems)
    checked = None
    if events is not None and events.broken is not None:
        checked = check_events(events, meta, place_ids)
        problems += checked.problems
    if meta is None or checked is None or any(p.severity == "error" for p in problems):
        return None, problems
    paths = [folder / META_FILE, events_path] + ([places_path] if places_path else [])
    dataset = _build(folder, meta, checked, checked_places, paths, problems)
    del checked, events
    release_memory()
    return dataset, problems


def _read(path: Path | None, fields: tuple[str, ...], max_bytes: int,
          problems: list[Problem]) -> RawTable | None:
    if path is None:
        return None
    table = read_features(path, fields, max_bytes)
    problems += [p for p in table.problems if p.index is None]
    return table


def _build(folder: Path, meta: Metadata, events: CheckedEvents,
           places: CheckedPlaces | None, paths: list[Path], problems: list[Problem]
           ) -> Dataset:
    """Sort by (start, id) and keep the columns compactly: text in Arrow, lists, objects and
    geometries as JSON text, so no parsed object outlives the load (the features are
    written from these columns on demand, see ``formats.feature_pieces``)."""
    cols = events.columns
    geoms, geo_precision = coarsen(events.geometry, cols["geo_precision"], cols["sensitive"])
    sensitive = np.asarray(cols["sensitive"], dtype=bool)
    start = cols["start"].dt.tz_convert(meta.tz)
    end = cols["end"].dt.tz_convert(meta.tz)
    order = pd.DataFrame({"start": start.array.asi8, "id": cols["id"]}).sort_values(
        ["start", "id"], kind="stable").index.to_numpy()
    pick = itemgetter(*order.tolist()) if len(order) > 1 else (lambda v: tuple(v[:1]))

    def text(name: str) -> pd.api.extensions.ExtensionArray:
        return pd.array(list(pick(cols[name])), dtype="str")


    geometry_json = [
        shapely.to_geojson(geoms[i]) if sensitive[i] else events.geometry_json[i]
        for i in order
    ]
    frame = gpd.GeoDataFrame(
        {
            "id": text("id"),
            "title": text("title"),
            "description": text("description"),
            "category": pd.Categorical(list(pick(cols["category"])),
                                       categories=meta.category_ids),
            "start": start.iloc[order].reset_index(drop=True),
            "end": end.iloc[order].reset_index(drop=True),
            "time_precision": pd.Categorical(list(pick(cols["time_precision"])),
                                             categories=TIME_PRECISIONS),
            "place": text("place"),
            "place_id": text("place_id"),
            "geo_precision": pd.Categorical(list(pick(geo_precision)),
                                            categories=GEO_PRECISIONS),
            "fatalities": pd.array(list(pick(cols["fatalities"])), dtype="Int64"),
            "actors": text("actors_json"),
            "sources": text("sources_json"),
            "sensitive": sensitive[order],
            "extra": text("extra_json"),
            "geometry_json": pd.array([g if isinstance(g, str) else orjson.dumps(g).decode()
                                       for g in geometry_json], dtype="str"),
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
        empty = gpd.GeoDataFrame({name: [] for name in PLACE_FIELDS},
                                 geometry=gpd.GeoSeries([], crs="EPSG:4326"))
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
        features.append(orjson.dumps(
            {"type": "Feature", "id": row.id, "geometry": geometry, "properties": properties}
        ))
    return frame, tuple(features)


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:20]
