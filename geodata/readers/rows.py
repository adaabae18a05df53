"""A Sheet's rows as RawTables of features: headings mapped to fields (``columns``), cells
brought to property values (``cells``), coordinates or Well-Known Text made into shapes.

Columns that map to no field are kept as extra properties, as a GeoJSON file's would be; the
tool's own CSV (its headings are exactly ``formats.CSV_COLUMNS``) has its ``extra`` column
read back as the properties it holds and its formula guards taken off, so it round-trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pandas as pd
import shapely

from almaty_map.geodata.columns import WKT_HEADINGS, ColumnMap
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.formats import CSV_COLUMNS, undefuse
from almaty_map.geodata.model import SOURCE_FIELDS
from almaty_map.geodata.readers import cells
from almaty_map.geodata.readers.sheets import Sheet
from almaty_map.geodata.readers.table import MISSING, RawTable

COORDINATES_EXPECTED = (
    "'latitude' and 'longitude' columns (decimal degrees, WGS84) or a geometry column of "
    'Well-Known Text; name yours in [columns] of dataset.toml (latitude = "Lat")'
)


@dataclass
class Layout:
    """How to read a table: the column mapping and the timezone of local times."""

    columns: ColumnMap = field(default_factory=ColumnMap)
    tz: ZoneInfo | None = None


@dataclass
class Mapped:
    """Where each field was read from (for reports) and the problems met on the way."""

    headings: dict[str, str]
    problems: list[Problem]


def sheet_tables(
    sheet: Sheet, file: str, fields: tuple[str, ...], layout: Layout, mapped: Mapped, size: int
) -> Iterator[RawTable]:
    """The sheet's rows as RawTables of at most ``size`` features."""
    frame = sheet.frame
    own = list(frame.columns) == list(CSV_COLUMNS)
    if own:
        frame = frame.map(undefuse)
    used: set[str] = set()
    columns = {name: _field(frame, name, layout, used, mapped) for name in fields}
    _sources_in_columns(frame, layout.columns, columns, used, mapped)
    found: list[Problem] = []
    geometry, geometry_json = _geometry(
        sheet, frame, file, layout.columns, used, mapped.headings, found
    )
    mapped.problems += [p for p in found if p.index is None]
    n = len(frame)
    for start in range(0, n, size) if n else ():
        stop = min(n, start + size)
        table = RawTable(file, start)
        table.columns = {name: values[start:stop] for name, values in columns.items()}
        table.feature_ids = [None] * (stop - start)
        table.geometry_json = geometry_json[start:stop]
        table.geometry = None if geometry is None else geometry[start:stop]
        # Made a chunk at a time: a row's extra properties are a dict of its other cells,
        # which for the whole of a wide export would be hundreds of MB alive at once.
        table.extras = _extras(frame.iloc[start:stop], used, own)
        table.broken = np.zeros(stop - start, dtype=bool)
        table.problems = [
            _named(p, columns["id"])
            for p in found
            if p.index is not None and start <= p.index < stop
        ]
        yield table


def _named(problem: Problem, ids: list) -> Problem:
    """A row's problem found before the checks, with the row's id as they will read it."""
    value = ids[problem.index]
    named = isinstance(value, str) and value.strip()
    return replace(problem, feature_id=value) if named else problem


def _field(frame: pd.DataFrame, name: str, layout: Layout, used: set, mapped: Mapped) -> list:
    """One field's cells, translated ([columns.values]), defaulted ([columns.defaults]) and
    brought to property values."""
    heading = layout.columns.heading(name)
    default = layout.columns.defaults.get(name)
    if heading in frame.columns:
        used.add(heading)
        mapped.headings.setdefault(name, heading)
        values = frame[heading].tolist()
    elif default is not None:
        values = [None] * len(frame)
    else:
        return [MISSING] * len(frame)
    if default is not None:
        values = [default if cells.is_empty(v) else v for v in values]
    translate = layout.columns.values.get(name)
    if translate:
        values = [v if cells.is_empty(v) else translate.get(cells.as_text(v), v) for v in values]
    if name in ("start", "end"):
        return cells.times(values, layout.tz)
    return cells.CONVERTERS.get(name, cells.text)(values)


def _sources_in_columns(
    frame: pd.DataFrame, columns: ColumnMap, out: dict, used: set, mapped: Mapped
) -> None:
    """One source per row from ``source_publication``, ``source_title``... columns (a
    spreadsheet typed by hand), after any given as JSON in a ``sources`` column."""
    parts = {
        name: columns.heading(f"source_{name}")
        for name in SOURCE_FIELDS
        if columns.heading(f"source_{name}") in frame.columns
    }
    if not parts:
        return
    used.update(parts.values())
    mapped.headings.setdefault("sources", ", ".join(parts.values()))
    values = {name: cells.text(frame[heading].tolist()) for name, heading in parts.items()}
    for i in range(len(frame)):
        source = {k: v[i] for k, v in values.items() if v[i] is not MISSING}
        if not source:
            continue
        given = out["sources"][i]
        out["sources"][i] = [*given, source] if type(given) is list else [source]
        if given is not MISSING and type(given) is not list:
            out["sources"][i] = given  # leave what is wrong for the check to report


def _geometry(
    sheet: Sheet,
    frame: pd.DataFrame,
    file: str,
    columns: ColumnMap,
    used: set,
    headings: dict[str, str],
    problems: list[Problem],
) -> tuple[np.ndarray | None, list]:
    """Shapes from Well-Known Text, or points from latitude and longitude, or as GDAL read
    them; a table with none of these is one problem, not one per row."""
    named = columns.headings.get("geometry")
    wkt = named if named else next((h for h in WKT_HEADINGS if h in frame.columns), None)
    lat, lon = columns.heading("latitude"), columns.heading("longitude")
    if wkt in frame.columns:
        used.update({wkt, lat, lon} & set(frame.columns))
        headings["geometry"] = wkt
        return _from_wkt(frame[wkt].tolist())
    if lat in frame.columns and lon in frame.columns:
        used.update({lat, lon})
        headings["geometry"] = f"{lat}, {lon}"
        return _points(frame[lat].tolist(), frame[lon].tolist(), problems, file, (lat, lon))
    if sheet.geometry is not None:
        return sheet.geometry, _geojson(sheet.geometry)
    problems.append(
        Problem(file, "has no coordinates", sheet=sheet.sheet, expected=COORDINATES_EXPECTED)
    )
    return None, [MISSING] * len(frame)


def _from_wkt(values: list) -> tuple[np.ndarray | None, list]:
    text = [None if cells.is_empty(v) else str(v) for v in values]
    shapes = shapely.from_wkt(np.array(text, dtype=object), on_invalid="ignore")
    out = _geojson(shapes)
    for i, value in enumerate(text):
        if value is None:
            out[i] = MISSING
        elif shapes[i] is None:
            out[i] = {"wkt": value}  # reported as a geometry that cannot be read
    return None, out


def _points(
    lats: list, lons: list, problems: list[Problem], file: str, headings: tuple[str, str]
) -> tuple[np.ndarray, list]:
    """Points, made at once from the two columns, and as GeoJSON would hold them; a cell
    that is not a number is reported on its row and the row gets no geometry."""
    lat, lon = headings
    ys = pd.to_numeric(pd.Series(lats, dtype=object), errors="coerce").to_numpy(dtype=float)
    xs = pd.to_numeric(pd.Series(lons, dtype=object), errors="coerce").to_numpy(dtype=float)
    given = ~np.isnan(xs) & ~np.isnan(ys)
    shapes = np.full(len(xs), None, dtype=object)
    shapes[given] = shapely.points(xs[given], ys[given])
    out: list = []
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist(), strict=True)):
        if x == x and y == y:
            out.append({"type": "Point", "coordinates": [x, y]})
            continue
        out.append(MISSING)
        for heading, value, number in ((lat, lats[i], y), (lon, lons[i], x)):
            if number != number and not cells.is_empty(value):
                problems.append(
                    Problem(
                        file,
                        "is not a number",
                        index=i,
                        field=heading,
                        heading=heading,
                        found=repr(value),
                        expected="decimal degrees, e.g. 43.2389",
                    )
                )
    return shapes, out


def _geojson(shapes: np.ndarray) -> list:
    return [MISSING if text is None else orjson.loads(text) for text in shapely.to_geojson(shapes)]


def _extras(frame: pd.DataFrame, used: set, own: bool) -> list:
    """The other columns as extra properties (empty cells left out); the own CSV's
    ``extra`` column holds them as JSON."""
    others = [h for h in frame.columns if h not in used and not (own and h == "extra")]
    records: list[dict] = [{} for _ in range(len(frame))]
    for heading in others:
        for record, value in zip(records, cells.column_text(frame[heading]), strict=True):
            if value is not None:
                record[heading] = value
    if own:
        for record, value in zip(records, frame["extra"].tolist(), strict=True):
            if not cells.is_empty(value):
                parsed = cells.json_list([value])[0]
                record.update(parsed if isinstance(parsed, dict) else {"extra": value})
    return [r or None for r in records]
