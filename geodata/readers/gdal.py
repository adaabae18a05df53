"""Reading the formats GDAL reads for us (GeoPackage, FlatGeobuf, Shapefile, KML and KMZ;
see ``filetypes``).

pyogrio reads the layer through Arrow and it is reprojected to EPSG:4326; its values are then
brought to the shapes a GeoJSON property would have, so the checks see one kind of table
whatever the format. Only files ``files`` has checked arrive here; while GDAL and PROJ read
them their network access is off all the same, so nothing in a file can make them fetch.

pyogrio is imported when the first such file is read, not with this module: loading GDAL
costs a process about 30 MB it keeps, and a server reading the team database (or
GeoJSON only) never needs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyproj.network
import shapely

from almaty_map.geodata.errors import Problem
from almaty_map.geodata.model import CLAIM_FIELDS
from almaty_map.geodata.readers.sheets import Sheet
from almaty_map.geodata.readers.table import MISSING, RawTable

# GDAL configuration while a dataset is read. /vsicurl/ and everything built on it (/vsis3/,
# /vsigs/, /vsiaz/, ...) refuse every name but this one, which names nothing; SQLite-based
# formats may not reach other files or run OGR SQL functions from a view or trigger.
OFFLINE = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/network-access-is-off-while-reading-a-dataset",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
}


def _pyogrio() -> ModuleType:
    import pyogrio

    return pyogrio


@contextmanager
def offline() -> Iterator[None]:
    """GDAL and PROJ without network access, restored afterwards (they are process-wide
    settings, and the process may use GDAL for other things)."""
    pyogrio = _pyogrio()
    before = {name: pyogrio.get_gdal_config_option(name) for name in OFFLINE}
    proj_network = pyproj.network.is_network_enabled()
    pyogrio.set_gdal_config_options(OFFLINE)
    pyproj.network.set_network_enabled(False)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)
        pyproj.network.set_network_enabled(proj_network)


def read_with_gdal(
    path: str, file: str, fields: tuple[str, ...], problems: list[Problem]
) -> Iterator[RawTable]:
    """A layer GDAL reads, in one table (GDAL's Arrow reader keeps it compact)."""
    with offline():
        frame = _read_frame(path, file, problems)
    if frame is not None:
        yield _table(file, frame, fields)


def _read_frame(path: str, file: str, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """The layer in EPSG:4326, or None with the reason in ``problems``."""
    try:
        frame = _pyogrio().read_dataframe(path, use_arrow=True)
    except Exception as exc:  # GDAL raises many types; all mean "unreadable"
        problems.append(Problem(file, f"cannot be read by GDAL: {exc}"))
        return None
    if not isinstance(frame, gpd.GeoDataFrame):
        problems.append(
            Problem(file, "has no geometry column", expected="a layer of features with shapes")
        )
        return None
    if frame.crs is None:
        problems.append(
            Problem(
                file,
                "has no coordinate reference system",
                expected="a layer with a CRS (it is reprojected to EPSG:4326), or GeoJSON in WGS84",
            )
        )
        return None
    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def read_layer_sheet(path: str, file: str, problems: list[Problem]) -> Sheet | None:
    """The layer as a sheet of features, for [columns] to map its field names (a Shapefile
    cuts them to ten characters: ``time_preci``) as it maps a table's headings."""
    with offline():
        frame = _read_frame(path, file, problems)
    if frame is None:
        return None
    geometry = np.asarray(frame.geometry.array, dtype=object)
    cells = pd.DataFrame(frame.drop(columns=frame.geometry.name), dtype=object).map(_plain)
    return Sheet(list(cells.columns), cells, None, None, geometry)


def _table(file: str, frame: gpd.GeoDataFrame, fields: tuple[str, ...]) -> RawTable:
    table = RawTable(file)
    n = len(frame)
    table.broken = np.zeros(n, dtype=bool)
    table.geometry = np.asarray(frame.geometry.array, dtype=object)
    table.geometry_json = [
        MISSING if text is None else orjson.loads(text)
        for text in shapely.to_geojson(table.geometry)
    ]
    table.feature_ids = [None] * n
    known = set(fields)
    for name in fields:
        table.columns[name] = (
            _column_values(frame[name], name) if name in frame.columns else [MISSING] * n
        )
    others = [c for c in frame.columns if c not in known and c != frame.geometry.name]
    records = frame[others].to_dict("records") if others else [None] * n
    table.extras = [
        {k: _plain(v) for k, v in r.items()} if r is not None else None for r in records
    ]
    return table


# Properties that typed formats carry as JSON text (lists, objects), and as integers that
# come back as floats when the column has nulls.
JSON_COLUMNS = frozenset({"actors", "sources", "fatalities", *CLAIM_FIELDS})
INTEGER_COLUMNS = frozenset({"fatalities", *CLAIM_FIELDS})


def _column_values(series: pd.Series, name: str) -> list:
    """Bring a GDAL column to the shapes a GeoJSON property would have."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return [None if pd.isna(v) else v.isoformat() for v in series]
    values = [_plain(v) for v in series.tolist()]
    if name in JSON_COLUMNS:
        values = [_json_or_value(v) for v in values]
    if name in INTEGER_COLUMNS:  # a column with nulls comes back as float
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    if name == "sensitive":  # GeoPackage stores booleans as 0/1
        return [bool(v) if v in (0, 1) and not isinstance(v, bool) else v for v in values]
    return values


def _plain(value: object) -> object:
    """None for missing values, Python scalars for numpy ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _json_or_value(value: object) -> object:
    """List-valued properties travel through GeoPackage and friends as JSON text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_all_layers(path: str, file: str, problems: list[Problem]) -> Sheet | None:
    """Every layer of a KML or KMZ as one sheet of features (Google My Maps puts each map
    layer in a folder of its own, which GDAL reads as a layer): the layer's name is kept in
    a ``folder`` column, and the shapes as read."""
    with offline():
        try:
            names = [str(name) for name, _ in _pyogrio().list_layers(path)]
            frames = [_layer(path, name) for name in names]
        except Exception as exc:  # GDAL raises many types; all mean "unreadable"
            problems.append(Problem(file, f"cannot be read by GDAL: {exc}"))
            return None
    frames = [f for f in frames if len(f)]
    if not frames:
        frame = gpd.GeoDataFrame({"folder": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    else:
        frame = pd.concat(frames, ignore_index=True)
    geometry = np.asarray(frame.geometry.array, dtype=object)
    cells = pd.DataFrame(frame.drop(columns=frame.geometry.name), dtype=object).map(_plain)
    cells = cells.drop(columns=[c for c in _KML_STYLE if c in cells.columns])
    cells = cells.loc[:, cells.notna().any(axis=0).to_numpy() | (cells.columns == "folder")]
    return Sheet(list(cells.columns), cells, None, None, geometry)


# How Google Earth draws a placemark, which LIBKML reads as fields: not the event's.
_KML_STYLE = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")


def _layer(path: str, name: str) -> gpd.GeoDataFrame:
    frame = _pyogrio().read_dataframe(path, layer=name, use_arrow=True)
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    frame.insert(0, "folder", name)
    return frame
