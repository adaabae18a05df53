"""What the edit form's place picker needs from the dataset, as the page's data island.

The picker (web/static/desk/picker.js) draws the reference places and the precision the way
the reader's map does, so it takes the same numbers the map takes (geodata/model.py), not
copies of them. The places are read from the places file as written (``place_json``), so a
place chosen in the form gives the event exactly the place's geometry.
"""

from __future__ import annotations

import json

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.model import (
    GEO_PRECISION_RADIUS_M,
    GEO_PRECISIONS,
    SENSITIVE_GRID_DEG,
    SENSITIVE_MIN_PRECISION,
)
from almaty_map.maprender.payload import html_safe

WORDS = {
    "none": "No place yet: click the map, choose a reference place, or type a point.",
    "exact": "Exact: drawn as a solid symbol, no circle.",
    "approximate": "Approximate: drawn within a dashed circle of 250 m.",
    "area": "Area: drawn within a dashed circle of 1 km.",
    "city": "City: only the city is known (a 10 km circle where the map draws it).",
    "sensitive": "Sensitive: readers see only the red circle around its ~1 km cell's centre.",
}


def reference_places(dataset: Dataset) -> dict[str, dict]:
    """Each reference place's geometry by id, exactly as its file gives it."""
    places = {}
    for text in dataset.place_json:
        feature = json.loads(text)
        places[str(feature["properties"]["id"])] = feature["geometry"]
    return places


def place_names(dataset: Dataset) -> list[tuple[str, str]]:
    """(id, name) of each reference place, for the form's list."""
    return [(str(f["properties"]["id"]), f["properties"]["name"]) for f in _features(dataset)]


def picker_island(dataset: Dataset) -> str:
    """The picker's data as JSON safe inside <script type="application/json">."""
    data = {
        "places": [
            {
                "id": str(f["properties"]["id"]),
                "name": f["properties"]["name"],
                "geometry": f["geometry"],
            }
            for f in _features(dataset)
        ],
        "radii": dict(GEO_PRECISION_RADIUS_M),
        "precisions": list(GEO_PRECISIONS),
        "floor": SENSITIVE_MIN_PRECISION,
        "grid": SENSITIVE_GRID_DEG,
        "extent": _extent(dataset),
        "words": WORDS,
    }
    return html_safe(json.dumps(data, ensure_ascii=False).encode()).decode()


def _features(dataset: Dataset) -> list[dict]:
    return [json.loads(text) for text in dataset.place_json]


def _extent(dataset: Dataset) -> list[float] | None:
    """The dataset's declared extent, else the bounds of every event of the version (as
    shown: the summary a database keeps, not the page's few events)."""
    if dataset.meta.extent is not None:
        return list(dataset.meta.extent)
    bounds = dataset.whole.bounds
    return None if bounds is None else list(bounds)
