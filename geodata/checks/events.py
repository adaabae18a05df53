"""Checking a chunk of events against the format and the dataset's metadata.

The checks run in the order the report lists them (ids, text, codes, times, links, counts,
names, sources, which source supports which claim, translations, flags, geometry, then what
cannot be kept), over whole columns. What comes out is the problems and the columns as they will be
kept, still as plain Python values: making them compact is ``geodata.compact``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from almaty_map.geodata.checks import claims, fields, languages
from almaty_map.geodata.checks.geometry import check_geometry
from almaty_map.geodata.checks.ids import feature_ids
from almaty_map.geodata.checks.keys import report_lookalikes
from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.checks.sources import sources
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.model import EVENT_FIELDS, GEO_PRECISIONS, JSON_FIELDS, TIME_PRECISIONS
from almaty_map.geodata.readers.table import RawTable


@dataclass
class CheckedEvents:
    """One chunk's checked columns (meaningful only where ``problems`` has no errors).

    ``columns`` are the kept fields (text as found, times as UTC Series, lists, objects and
    geometries' GeoJSON as JSON text, ``sensitive`` as booleans); ``geometry`` the usable
    shapes; ``live`` the rows that were features at all.
    """

    columns: dict[str, object]
    geometry: np.ndarray
    live: np.ndarray
    problems: list[Problem]


def check_events(table: RawTable, meta: Metadata | None, place_ids: set[str]) -> CheckedEvents:
    """Validate a RawTable of events against the format and the dataset's metadata.

    Without usable metadata (a broken dataset.toml) the checks that need it are skipped, so
    the report still covers the events.
    """
    cols = table.columns
    ids, id_problems = feature_ids(table)
    sensitive = np.array([v is True for v in cols["sensitive"]], dtype=bool)
    rep = Reporter(table.file, ids, ~table.broken, sensitive, table.offset)
    rep.problems.extend(id_problems)
    kept: dict[str, object] = {"id": ids}
    kept.update(_texts_and_codes(rep, cols, meta))
    kept.update(_times(rep, cols))
    kept.update(_links_counts_and_names(rep, cols, place_ids))
    sources(rep, cols["sources"])
    kept.update(claims.claims(rep, cols, kept["fatalities"]))
    kept["translations"] = languages.translations(rep, cols["translations"])
    fields.sensitive(rep, cols["sensitive"])
    report_lookalikes(rep, table.extras, EVENT_FIELDS)
    geometry = check_geometry(rep, table, meta)
    kept["actors_json"] = fields.json_texts(rep, kept.pop("actors"), "actors")
    for name in JSON_FIELDS:
        kept[f"{name}_json"] = fields.json_texts(rep, kept.pop(name), name)
    kept["sources_json"] = fields.json_texts(rep, cols["sources"], "sources")
    kept["extra_json"] = fields.json_texts(rep, table.extras, "properties")
    kept["geometry_json"] = fields.json_texts(rep, table.geometry_json, "geometry")
    kept["sensitive"] = sensitive
    return CheckedEvents(kept, geometry, rep.live, rep.problems + table.problems)


def _texts_and_codes(rep: Reporter, cols: dict[str, list], meta: Metadata | None) -> dict:
    """Title, place and description; category and the two precisions."""
    for name in ("title", "place"):
        fields.required_text(rep, cols[name], name)
    description = fields.description(rep, cols["description"])
    if meta is not None:
        fields.one_of(
            rep,
            cols["category"],
            "category",
            meta.category_ids,
            "is not a declared category",
            "one of " + ", ".join(meta.category_ids) + " (from dataset.toml)",
        )
    for name, allowed in (("time_precision", TIME_PRECISIONS), ("geo_precision", GEO_PRECISIONS)):
        fields.one_of(
            rep, cols[name], name, allowed, "is not a known precision", " | ".join(allowed)
        )
    kept = ("title", "category", "time_precision", "place", "geo_precision")
    return {name: cols[name] for name in kept} | {"description": description}


def _times(rep: Reporter, cols: dict[str, list]) -> dict:
    start = fields.times(rep, cols["start"], "start", required=True)
    end = fields.times(rep, cols["end"], "end", required=False)
    fields.end_not_before_start(rep, start, end, cols["end"])
    return {"start": start, "end": end}


def _links_counts_and_names(rep: Reporter, cols: dict[str, list], place_ids: set[str]) -> dict:
    return {
        "place_id": fields.place_reference(rep, cols["place_id"], place_ids),
        "fatalities": claims.fatalities(rep, cols["fatalities"]),
        "actors": fields.actors(rep, cols["actors"]),
    }
