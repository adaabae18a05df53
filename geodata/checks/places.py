"""Checking the reference places events may link to by ``place_id``.

Places are few (a city's landmarks), so they are checked in one table and kept as plain
Python values; their ids must be known before the events are checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from almaty_map.geodata.checks import fields
from almaty_map.geodata.checks.geometry import check_geometry
from almaty_map.geodata.checks.ids import duplicate_ids, feature_ids
from almaty_map.geodata.checks.keys import report_lookalikes
from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import PLACE_FIELDS
from almaty_map.geodata.readers.table import RawTable


@dataclass
class CheckedPlaces:
    """The places' columns, usable shapes and GeoJSON geometries as written."""

    columns: dict[str, object]
    geometry: np.ndarray
    geometry_json: list
    problems: list[Problem]


def check_places(table: RawTable, meta: Metadata | None) -> CheckedPlaces:
    """Validate reference places: an id, a name and a kind, and a usable geometry."""
    cols = table.columns
    live = ~table.broken
    ids, id_problems = feature_ids(table)
    rep = Reporter(table.file, ids, live, np.zeros(table.size, dtype=bool), table.offset)
    rep.problems.extend(id_problems + duplicate_ids(table.file, ids, live))
    for name in ("name", "kind"):
        fields.required_text(rep, cols[name], name)
    name_kk = fields.optional_text(rep, cols["name_kk"], "name_kk")
    name_ru = fields.optional_text(rep, cols["name_ru"], "name_ru")
    report_lookalikes(rep, table.extras, PLACE_FIELDS)
    geometry = check_geometry(rep, table, meta)
    columns = {
        "id": ids,
        "name": cols["name"],
        "name_kk": name_kk,
        "name_ru": name_ru,
        "kind": cols["kind"],
        "extra": table.extras,
    }
    return CheckedPlaces(columns, geometry, table.geometry_json, rep.problems + table.problems)
