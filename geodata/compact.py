"""Keeping checked events compactly, and making the Dataset's frames from them.

Each chunk's checked columns are made compact at once (Arrow text, numpy arrays, points as
coordinates and other shapes as WKB), so the chunk's Python objects can be freed before the
next chunk is parsed: loading 100,000 events never holds them all as objects. Once the whole
file is checked, the chunks are joined and the events frame is built, sorted by (start, id),
with sensitive locations coarsened before anything else can see them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from geopandas.array import from_shapely
from pyproj import CRS

from almaty_map.geodata.checks.events import CheckedEvents
from almaty_map.geodata.checks.places import CheckedPlaces
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import (
    EVENT_FIELDS,
    GEO_PRECISIONS,
    JSON_FIELDS,
    PLACE_FIELDS,
    TIME_PRECISIONS,
)
from almaty_map.geodata.privacy import coarsen

# The checked columns that are plain text (the database's COPY writes them as they are).
PLAIN_TEXT_COLUMNS = (
    "id",
    "title",
    "description",
    "category",
    "time_precision",
    "place",
    "place_id",
    "geo_precision",
)
_TEXT_COLUMNS = (
    *PLAIN_TEXT_COLUMNS,
    "actors_json",
    "sources_json",
    "fatalities_json",
    "time_source_json",
    "location_source_json",
    "fatalities_source_json",
    "translations_json",
    "extra_json",
    "geometry_json",
)


@dataclass
class CompactEvents:
    """Compact, normalised event columns (valid only when ``problems`` has no errors):
    Arrow arrays for text, numpy arrays for flags and geometries, UTC times as Series."""

    columns: dict[str, object]
    live: np.ndarray
    problems: list[Problem]

    @staticmethod
    def combine(parts: list[CompactEvents]) -> CompactEvents:
        """One table from the compacted chunks, in file order."""
        first = parts[0].columns
        columns: dict[str, object] = {}
        for name, value in list(first.items()):
            pieces = [part.columns.pop(name) for part in parts]  # each piece freed once joined
            if isinstance(value, pa.Array):
                columns[name] = pa.concat_arrays(pieces)
            elif isinstance(value, pd.Series):
                columns[name] = pd.concat(pieces, ignore_index=True)
            else:
                columns[name] = np.concatenate(pieces)
        return CompactEvents(
            columns,
            np.concatenate([p.live for p in parts]),
            [problem for part in parts for problem in part.problems],
        )

    def geometries(self) -> np.ndarray:
        """Shapely geometries, made once for the whole file: points from their coordinates,
        others from WKB. (Chunks keep no Python objects, so their memory is given back.)"""
        cols = self.columns
        geoms = np.full(len(self.live), None, dtype=object)
        point = cols["is_point"]
        geoms[point] = shapely.points(cols["x"][point], cols["y"][point])
        other = ~point & cols["wkb"].is_valid().to_numpy(zero_copy_only=False)
        if other.any():
            geoms[other] = shapely.from_wkb(cols["wkb"].filter(pa.array(other)).to_pylist())
        return geoms


def compact_events(checked: CheckedEvents) -> CompactEvents:
    """A chunk's checked columns as Arrow and numpy arrays; rows with errors may hold values
    of any type, and keep null where the kept type cannot hold them."""
    cols = checked.columns
    columns: dict[str, object] = {name: _text_array(cols[name]) for name in _TEXT_COLUMNS}
    columns["start"] = cols["start"]
    columns["end"] = cols["end"]
    columns["sensitive"] = cols["sensitive"]
    columns.update(_compact_geometry(checked.geometry))
    return CompactEvents(columns, checked.live, checked.problems)


def _text_array(values: list) -> pa.Array:
    """Strings kept compactly; anything else (only in rows with errors) becomes null."""
    try:  # text and nulls only, as in every valid file: converted in one C loop
        return pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    column = pd.Series(values, dtype=object)
    return pa.array(
        column.where(column.map(type).eq(str), None), type=pa.string(), from_pandas=True
    )


def _compact_geometry(geoms: np.ndarray) -> dict[str, object]:
    """Points as coordinate arrays, other shapes as WKB, for ``CompactEvents.geometries``."""
    is_point = shapely.get_type_id(geoms) == 0
    wkb = np.full(len(geoms), None, dtype=object)
    others = ~is_point & ~pd.isna(pd.Series(geoms, dtype=object)).to_numpy()
    if others.any():
        wkb[others] = shapely.to_wkb(geoms[others])
    return {
        "is_point": is_point,
        "x": shapely.get_x(np.where(is_point, geoms, None)),
        "y": shapely.get_y(np.where(is_point, geoms, None)),
        "wkb": pa.array(wkb, type=pa.binary(), from_pandas=True),
    }


def events_frame(events: CompactEvents, meta: Metadata) -> gpd.GeoDataFrame:
    """The Dataset's events: sorted by (start, id), times in the dataset's timezone, text in
    Arrow, lists, objects and geometries as JSON text, so no parsed object outlives the load
    (features are written from these columns on demand, see ``formats.feature_pieces``)."""
    cols = events.columns
    sensitive = np.asarray(cols["sensitive"], dtype=bool)
    geoms, geo_precision = coarsen(
        events.geometries(), cols["geo_precision"].to_pylist(), cols["sensitive"]
    )
    if sensitive.any():
        _coarsen_geometry_json(cols, geoms, sensitive)
    start = cols["start"].dt.tz_convert(meta.tz)
    end = cols["end"].dt.tz_convert(meta.tz)
    order = _start_id_order(start, cols["id"])
    columns = _sorted_columns(cols, order, meta)
    columns["start"] = start.iloc[order].reset_index(drop=True)
    columns["end"] = end.iloc[order].reset_index(drop=True)
    columns["geo_precision"] = _categorical(
        pa.array(geo_precision, type=pa.string()).take(pa.array(order)), GEO_PRECISIONS
    )
    columns["sensitive"] = sensitive[order]
    # One frame of the columns as they are, then its geometry named: a GeoDataFrame given
    # a dict and a GeoSeries aligns and checks each column again (1.0 against 0.4 ms for
    # a page of a hundred from the database, made for every request).
    columns["geometry"] = from_shapely(geoms[order], crs=_CRS84)
    frame = pd.DataFrame({name: columns[name] for name in (*_FRAME_ORDER, "geometry")}, copy=False)
    return gpd.GeoDataFrame(frame, geometry="geometry", copy=False)


def _start_id_order(start: pd.Series, ids: pa.Array) -> np.ndarray:
    """The rows' order by (start, id), ties kept in file order: one Arrow sort of the times
    and the ids as they are kept (UTF-8 sorts as code points do, as Python's strings do),
    rather than the ids made Python strings to be sorted by pandas."""
    keys = pa.table({"start": start.array.asi8, "id": ids})
    return pc.sort_indices(keys, [("start", "ascending"), ("id", "ascending")]).to_numpy()


def _categorical(values: pa.Array, categories: tuple[str, ...]) -> pd.Categorical:
    """Text as a Categorical of these categories (null for any other value), coded in one
    Arrow lookup instead of pandas hashing each value as a Python string."""
    codes = pc.fill_null(pc.index_in(values, value_set=pa.array(categories, pa.string())), -1)
    return pd.Categorical.from_codes(codes.to_numpy(), categories=list(categories))


# The frame keeps every field of the format, then what is kept as JSON text.
_FRAME_ORDER = (*EVENT_FIELDS, "extra", "geometry_json")
# Made once: a CRS parsed from its name costs a tenth of a millisecond each time.
_CRS84 = CRS("EPSG:4326")


def _coarsen_geometry_json(cols: dict, geoms: np.ndarray, sensitive: np.ndarray) -> None:
    """Sensitive events keep only their coarsened shape, in the GeoJSON as in the geometry."""
    coarse = np.flatnonzero(sensitive)
    texts = cols["geometry_json"].to_pylist()
    for i, shape in zip(coarse, shapely.to_geojson(geoms[coarse]), strict=True):
        texts[i] = shape
    cols["geometry_json"] = pa.array(texts, type=pa.string())


def _sorted_columns(cols: dict, order: np.ndarray, meta: Metadata) -> dict[str, object]:
    """The Arrow columns in sorted order; each unsorted one is dropped as soon as it is."""
    take = pa.array(order)

    def text(name: str) -> pd.api.extensions.ExtensionArray:
        return pd.array(cols.pop(name).take(take), dtype="str")

    def category(name: str, categories: tuple[str, ...]) -> pd.Categorical:
        return _categorical(cols.pop(name).take(take), categories)

    return {
        "id": text("id"),
        "title": text("title"),
        "description": text("description"),
        "category": category("category", meta.category_ids),
        "time_precision": category("time_precision", TIME_PRECISIONS),
        "place": text("place"),
        "place_id": text("place_id"),
        "actors": text("actors_json"),
        "sources": text("sources_json"),
        "extra": text("extra_json"),
        "geometry_json": text("geometry_json"),
    } | {name: text(f"{name}_json") for name in JSON_FIELDS}


def places_frame(places: CheckedPlaces | None) -> tuple[gpd.GeoDataFrame, tuple[bytes, ...]]:
    """The places as a frame, and each place's canonical GeoJSON feature, written once."""
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
