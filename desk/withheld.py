"""A sensitive event as a role that does not need its place sees it: as readers do.

Editors work on sensitive events too, but the exact place of one (a family's home, a
witness's street) is for reviewers and admins only; an editor is shown the published cell
centre and precision, by the very function the loader publishes with (geodata/privacy.py),
so the desk can never show an editor more than the map shows a reader.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import shapely

from almaty_map.geodata.model import GEO_PRECISIONS
from almaty_map.geodata.privacy import coarsen

# The roles that see a sensitive event's place exactly.
EXACT_ROLES = ("reviewer", "admin")


def sees_exactly(role: str) -> bool:
    return role in EXACT_ROLES


def is_sensitive(feature: dict) -> bool:
    return (feature.get("properties") or {}).get("sensitive") is True


def as_published(feature: dict) -> dict:
    """The feature with a sensitive event's place as published; others unchanged."""
    return coarsened(feature) if is_sensitive(feature) else feature


def coarsened(feature: dict) -> dict:
    """The feature with its place as a sensitive event's is published, whatever its own
    ``sensitive`` says: for a revision that unmarks an event readers still see coarsened."""
    shown = copy.deepcopy(feature)
    props = shown["properties"]
    try:
        shape = shapely.from_geojson(json.dumps(feature.get("geometry")))
    except (shapely.errors.GEOSException, TypeError, ValueError):
        shown["geometry"] = None  # unreadable: nothing of it is shown
        return shown
    precision = props.get("geo_precision")
    known = precision if precision in GEO_PRECISIONS else GEO_PRECISIONS[0]
    geoms, precisions = coarsen(np.array([shape]), [known], np.array([True]))
    shown["geometry"] = {"type": "Point", "coordinates": [geoms[0].x, geoms[0].y]}
    props["geo_precision"] = precisions[0]
    return shown


def for_role(feature: dict, role: str, *, guarded: bool = False) -> dict:
    """The feature as ``role`` may see it; ``guarded``: the event is sensitive elsewhere
    (as published, or in another revision), so its place is withheld even if this
    revision unmarks it until a publication says otherwise."""
    if sees_exactly(role):
        return feature
    return coarsened(feature) if guarded else as_published(feature)


# What an editor may not change of a sensitive event: where it is and that it is sensitive.
PLACE_PROPERTIES = ("sensitive", "geo_precision", "place_id")


def kept_place(feature: dict, base: dict) -> dict:
    """``feature`` with ``base``'s place and sensitivity: what an editor saves or imports
    for a sensitive event (they were never shown the place to change it)."""
    feature["geometry"] = base.get("geometry")
    props, base_props = feature["properties"], base.get("properties") or {}
    for name in PLACE_PROPERTIES:
        if name in base_props:
            props[name] = base_props[name]
        else:
            props.pop(name, None)
    return feature
