"""Checking the reference places events may link to by ``place_id``.

Places are few (a city's landmarks), so they are checked in one table and kept as plain
Python values; their ids must be known before the events are checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from almaty_map.geodata.checks import fields, languages
from almaty_map.geodata.checks.geometry import check_geometry
from almaty_map.geodata.checks.ids import duplicate_ids, feature_ids
from almaty_map.geodata.checks.keys import report_lookalikes
from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.languagetags import is_tag, standard_tag
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import LEGACY_NAME_FIELDS, PLACE_FIELDS
from almaty_map.geodata.readers.table import RawTable


@dataclass
class CheckedPlaces:
    """The places' columns, usable shapes and GeoJSON geometries as written."""

    columns: dict[str, object]
    geometry: np.ndarray
    geometry_json: list
    problems: list[Problem]


def check_places(table: RawTable, meta: Metadata | None) -> CheckedPlaces:
    """Validate reference places: an id, a name and a kind, names in other languages, and a
    usable geometry."""
    cols = table.columns
    live = ~table.broken
    ids, id_problems = feature_ids(table)
    rep = Reporter(table.file, ids, live, np.zeros(table.size, dtype=bool), table.offset)
    rep.problems.extend(id_problems + duplicate_ids(table.file, ids, live))
    for name in ("name", "kind"):
        fields.required_text(rep, cols[name], name)
    names = _with_legacy_names(rep, cols, languages.names(rep, cols["names"]))
    report_lookalikes(rep, table.extras, (*PLACE_FIELDS, *LEGACY_NAME_FIELDS))
    geometry = check_geometry(rep, table, meta)
    columns = {
        "id": ids,
        "name": cols["name"],
        "names": names,
        "kind": cols["kind"],
        "extra": table.extras,
    }
    return CheckedPlaces(columns, geometry, table.geometry_json, rep.problems + table.problems)


def _with_legacy_names(rep: Reporter, cols: dict, names: list[dict | None]) -> list[dict]:
    """``names`` with the older ``name_kk`` and ``name_ru`` read into it; the same language
    given both ways with different text is an error, since neither can be chosen."""
    merged = [dict(n) if n else {} for n in names]
    for key, language in LEGACY_NAME_FIELDS.items():
        texts = fields.optional_text(rep, cols[key], key)
        clash = np.zeros(len(merged), dtype=bool)
        for row, text in enumerate(texts):
            if text is None or type(text) is not str:
                continue
            given = {standard_tag(k): v for k, v in merged[row].items() if is_tag(k)}
            if language not in given:
                merged[row][language] = text
            elif given[language] != text:
                clash[row] = True
        rep.rows(
            clash,
            key,
            f"differs from the {language!r} entry of names",
            "one name per language: give it in names only",
            texts,
        )
    return merged
