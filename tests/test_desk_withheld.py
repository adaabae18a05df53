"""A sensitive event's place as an editor sees it: never finer than readers see it."""

from __future__ import annotations

import copy
import json

import pytest

from almaty_map.desk.withheld import as_published, for_role
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset

EVENTS = json.loads((BUNDLED / "events.geojson").read_text(encoding="utf-8"))["features"]
SENSITIVE = next(f for f in EVENTS if f["properties"]["sensitive"] is True)


def _exact(feature: dict) -> dict:
    feature = copy.deepcopy(feature)
    feature["geometry"] = {"type": "Point", "coordinates": [76.91234, 43.24321]}
    feature["properties"]["geo_precision"] = "exact"
    return feature


def test_an_editor_sees_the_published_cell_centre_and_precision():
    shown = for_role(_exact(SENSITIVE), "editor")
    assert shown["geometry"] == {"type": "Point", "coordinates": [76.915, 43.245]}
    assert shown["properties"]["geo_precision"] == "area"


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_reviewers_and_admins_see_the_place_exactly(role):
    feature = _exact(SENSITIVE)
    assert for_role(feature, role) == feature


def test_the_editor_sees_what_the_loaded_map_publishes():
    """The same cell and precision the loader publishes the bundled sensitive event at."""
    dataset = load_dataset(BUNDLED)
    row = dataset.events[dataset.events["id"] == SENSITIVE["properties"]["id"]].iloc[0]
    shown = as_published(SENSITIVE)
    assert shown["geometry"]["coordinates"] == [row.geometry.x, row.geometry.y]
    assert shown["properties"]["geo_precision"] == row["geo_precision"]


def test_other_events_and_unreadable_shapes():
    plain = next(f for f in EVENTS if not f["properties"]["sensitive"])
    assert as_published(plain) is plain
    broken = copy.deepcopy(SENSITIVE)
    broken["geometry"] = {"type": "Point", "coordinates": "<b>"}
    assert as_published(broken)["geometry"] is None
