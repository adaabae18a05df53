"""Writing selected events as GeoJSON or CSV, the two formats researchers download.

Both are written from ``written_columns``: the properties as written, made once per dataset
as Arrow columns, from which a page takes its rows a column at a time. CSV cells that a
spreadsheet would run as a formula are defused with a leading apostrophe (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import shapely

from almaty_map.geodata.crs import CRS84, geojson_geometries, transform
from almaty_map.geodata.model import EVENT_FIELDS, JSON_FIELDS
from almaty_map.geodata.timeparse import iso_times

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset

CSV_COLUMNS = (*EVENT_FIELDS, "longitude", "latitude", "geometry_wkt", "extra")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The guard itself: a cell that starts with it is guarded too, so reading takes exactly one
# off (``undefuse``) and the CSV reads back as it was written.
_GUARD = "'"
# Events written at a time by the chunked writers: a few MB of text, whatever the total.
BATCH = 1000
_TIMES = ("start", "end")


def _collection_head(members: dict | None) -> bytes:
    head = b'{"type":"FeatureCollection",'
    if members:
        head += orjson.dumps(members)[1:-1] + b","
    return head + b'"features":['


def geojson_bytes(joined_features: bytes, members: dict | None = None) -> bytes:
    """A FeatureCollection from features already serialised and joined with commas;
    ``members`` go before ``features``."""
    return _collection_head(members) + joined_features + b"]}"


def _batches(positions: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(positions), BATCH):
        yield positions[start : start + BATCH]


def written_columns(events: pd.DataFrame) -> pa.Table:
    """Every event's properties as the formats write them, as Arrow columns in EVENT_FIELDS
    order (times as ISO text, lists and objects as JSON text, missing values null), then
    ``extra`` and ``geometry_json``. Made once per dataset: the text columns are the
    frame's own, not copies, and a page then takes its rows a column at a time, where a
    pandas selection of the whole frame cost several times the writing."""
    columns = {name: _arrow(events[name]) for name in EVENT_FIELDS if name not in _TIMES}
    columns |= {name: pa.array(iso_times(events[name]), pa.string()) for name in _TIMES}
    names = (*EVENT_FIELDS, "extra", "geometry_json")
    columns |= {name: _arrow(events[name]) for name in names[len(EVENT_FIELDS) :]}
    return pa.table({name: columns[name] for name in names})


def _arrow(column: pd.Series) -> pa.Array | pa.ChunkedArray:
    values = column.array
    return values.__arrow_array__() if hasattr(values, "__arrow_array__") else pa.array(values)


def _property_columns(dataset: Dataset, positions: Sequence[int]) -> dict[str, list]:
    """The events' properties as plain lists keyed by field, in EVENT_FIELDS order (see
    ``written_columns``), then ``extra`` and ``geometry_json``."""
    taken = dataset.written.take(pa.array(positions, pa.int64()))
    return {name: taken.column(name).to_pylist() for name in taken.column_names}


def feature_pieces(dataset: Dataset, positions: Sequence[int], crs: str = CRS84) -> list[bytes]:
    """The canonical GeoJSON of each event at ``positions``: every field, in the documented
    order. Lists, objects and geometries are kept as JSON text and go in as fragments, so a
    page of 10,000 features is written in a few tens of milliseconds. Geometries in another
    ``crs`` are transformed a batch at a time."""
    if not len(positions):
        return []
    fragment = orjson.Fragment
    columns = _property_columns(dataset, positions)
    for name in ("actors", "sources", *JSON_FIELDS):
        columns[name] = [None if v is None else fragment(v) for v in columns[name]]
    extras, geometries = columns.pop("extra"), columns.pop("geometry_json")
    if crs != CRS84:
        geometries = geojson_geometries(
            transform(dataset.events.geometry.to_numpy()[list(positions)], CRS84, crs)
        )
    pieces = []
    for values, extra, geometry in zip(
        zip(*columns.values(), strict=True), extras, geometries, strict=True
    ):
        properties = dict(zip(EVENT_FIELDS, values, strict=True))
        if extra is not None:
            properties.update(orjson.loads(extra))
        feature = {"type": "Feature", "id": values[0], "geometry": fragment(geometry)}
        pieces.append(orjson.dumps(feature | {"properties": properties}))
    return pieces


def geojson_chunks(
    dataset: Dataset, positions: Sequence[int], members: dict | None = None, crs: str = CRS84
) -> Iterator[bytes]:
    """The FeatureCollection of ``events_geojson`` in pieces of BATCH features, so a
    download of every event is written as it is sent, never held whole."""
    yield _collection_head(members)
    for k, batch in enumerate(_batches(positions)):
        yield (b"," if k else b"") + b",".join(feature_pieces(dataset, batch, crs))
    yield b"]}"


def events_geojson(
    dataset: Dataset, positions: Sequence[int], members: dict | None = None
) -> bytes:
    return b"".join(geojson_chunks(dataset, positions, members))


def defuse(cell: object) -> object:
    """Stop a spreadsheet from evaluating text as a formula."""
    if isinstance(cell, str) and cell.startswith((*_FORMULA_START, _GUARD)):
        return _GUARD + cell
    return cell


def undefuse(cell: object) -> object:
    """The cell as it was before ``defuse``."""
    if isinstance(cell, str) and cell.startswith(_GUARD):
        return cell[1:]
    return cell


def csv_chunks(dataset: Dataset, positions: Sequence[int]) -> Iterator[str]:
    """The CSV of ``events_csv``: the header, then BATCH rows at a time."""
    yield ",".join(CSV_COLUMNS) + "\n"
    for batch in _batches(positions):
        yield _csv_rows(dataset, batch)


def events_csv(dataset: Dataset, positions: Sequence[int]) -> str:
    """One row per event; list and object fields as JSON, times as ISO 8601 with offset."""
    return "".join(csv_chunks(dataset, positions))


def _csv_rows(dataset: Dataset, positions: Sequence[int]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = _property_columns(dataset, positions)
    columns["sensitive"] = ["true" if s else "false" for s in columns["sensitive"]]
    shapes = dataset.events.geometry.array[np.asarray(positions, dtype=np.int64)]
    anchor = shapely.point_on_surface(shapes)
    columns["longitude"] = shapely.get_x(anchor).tolist()
    columns["latitude"] = shapely.get_y(anchor).tolist()
    columns["geometry_wkt"] = shapely.to_wkt(shapes, rounding_precision=-1, trim=True)
    writer.writerows(zip(*(_cells(columns[name]) for name in CSV_COLUMNS), strict=True))
    return buffer.getvalue()


def _cells(values: list) -> list:
    """A column's CSV cells: missing values empty, text defused (as ``defuse``, a column at
    a time: a download of every event writes millions of cells)."""
    start = (*_FORMULA_START, _GUARD)
    return [
        "" if v is None else _GUARD + v if isinstance(v, str) and v.startswith(start) else v
        for v in values
    ]
