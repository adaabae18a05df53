"""Writing selected events as GeoJSON or CSV, the two formats researchers download.

GeoJSON responses are joined from each event's canonical feature, serialised once at load,
so a 10,000-feature page costs a join rather than 10,000 serialisations. CSV cells that a
spreadsheet would run as a formula are defused with a leading apostrophe (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson
import pandas as pd
import shapely

from almaty_map.geodata.model import EVENT_FIELDS
from almaty_map.geodata.timeparse import iso_times

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset

CSV_COLUMNS = (*EVENT_FIELDS, "longitude", "latitude", "geometry_wkt", "extra")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def geojson_bytes(joined_features: bytes, members: dict | None = None) -> bytes:
    """A FeatureCollection from features already serialised and joined with commas;
    ``members`` go before ``features``."""
    head = b'{"type":"FeatureCollection",'
    if members:
        head += orjson.dumps(members)[1:-1] + b","
    return head + b'"features":[' + joined_features + b"]}"


def _property_columns(rows: pd.DataFrame) -> list[list]:
    """The events' properties as plain lists in EVENT_FIELDS order, times as ISO text; read
    column by column, so the per-row loops of both formats only assemble values."""
    return [
        rows["id"].tolist(),
        rows["title"].tolist(),
        rows["description"].tolist(),
        rows["category"].astype(str).tolist(),
        iso_times(rows["start"]),
        iso_times(rows["end"]),
        rows["time_precision"].astype(str).tolist(),
        rows["place"].tolist(),
        rows["place_id"].tolist(),
        rows["geo_precision"].astype(str).tolist(),
        rows["fatalities"].astype(object).tolist(),
        rows["actors"].tolist(),
        rows["sources"].tolist(),
        rows["sensitive"].tolist(),
    ]


def _or(value: object, missing: object) -> object:
    return missing if pd.isna(value) else value


def feature_pieces(dataset: Dataset, positions: Sequence[int]) -> list[bytes]:
    """The canonical GeoJSON of each event at ``positions``: every field, in the documented
    order. Lists, objects and geometries are kept as JSON text and go in as fragments, so a
    page of 10,000 features is written in a few tens of milliseconds."""
    rows = dataset.events.iloc[list(positions)]
    if rows.empty:
        return []
    fragment = orjson.Fragment
    pieces = []
    for (
        eid,
        title,
        desc,
        cat,
        start,
        end,
        tprec,
        place,
        pid,
        gprec,
        fat,
        actors,
        sources,
        sensitive,
        extra,
        geometry,
    ) in zip(
        *_property_columns(rows),
        rows["extra"].tolist(),
        rows["geometry_json"].tolist(),
        strict=True,
    ):
        properties = {
            "id": eid,
            "title": title,
            "description": desc,
            "category": cat,
            "start": start,
            "end": end,
            "time_precision": tprec,
            "place": place,
            "place_id": _or(pid, None),
            "geo_precision": gprec,
            "fatalities": _or(fat, None),
            "actors": fragment(actors),
            "sources": fragment(sources),
            "sensitive": sensitive,
        }
        if not pd.isna(extra):
            properties.update(orjson.loads(extra))
        pieces.append(
            orjson.dumps(
                {
                    "type": "Feature",
                    "id": eid,
                    "geometry": fragment(geometry),
                    "properties": properties,
                }
            )
        )
    return pieces


def events_geojson(
    dataset: Dataset, positions: Sequence[int], members: dict | None = None
) -> bytes:
    return geojson_bytes(b",".join(feature_pieces(dataset, positions)), members)


def defuse(cell: object) -> object:
    """Stop a spreadsheet from evaluating text as a formula."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def events_csv(dataset: Dataset, positions: Sequence[int]) -> str:
    """One row per event; list and object fields as JSON, times as ISO 8601 with offset."""
    rows = dataset.events.iloc[list(positions)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    if rows.empty:
        return buffer.getvalue()
    anchor = shapely.point_on_surface(rows.geometry.array)
    xs, ys = shapely.get_x(anchor), shapely.get_y(anchor)
    wkt = shapely.to_wkt(rows.geometry.array, rounding_precision=-1, trim=True)
    for (
        eid,
        title,
        desc,
        cat,
        start,
        end,
        tprec,
        place,
        pid,
        gprec,
        fat,
        actors,
        sources,
        sensitive,
        x,
        y,
        geometry,
        extra,
    ) in zip(*_property_columns(rows), xs, ys, wkt, rows["extra"].tolist(), strict=True):
        writer.writerow(
            [
                defuse(v)
                for v in (
                    eid,
                    title,
                    desc,
                    cat,
                    start,
                    end or "",
                    tprec,
                    place,
                    _or(pid, ""),
                    gprec,
                    "" if pd.isna(fat) else int(fat),
                    actors,
                    sources,
                    "true" if sensitive else "false",
                    float(x),
                    float(y),
                    geometry,
                    _or(extra, ""),
                )
            ]
        )
    return buffer.getvalue()
