"""The benchmark's synthetic datasets are valid, deterministic and realistic."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from almaty_map.geodata.dataset import load_dataset
from harness.synthetic import ACLED_COLUMNS, write_acled_dataset, write_dataset

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "geodata" / "schema" / "events.schema.json").read_text()
)


def test_generated_events_validate_and_are_deterministic(tmp_path):
    first = write_dataset(3000, tmp_path / "a")
    second = write_dataset(3000, tmp_path / "b")
    assert (first / "events.geojson").read_bytes() == (second / "events.geojson").read_bytes()
    dataset = load_dataset(first)
    assert len(dataset.events) == 3000
    assert set(dataset.events["category"].astype(str)) == {
        "protest",
        "unrest",
        "lethal-force",
        "security",
        "custody",
        "memory",
    }
    assert set(dataset.events["geo_precision"].astype(str)) == {
        "exact",
        "approximate",
        "area",
        "city",
    }
    assert dataset.events["sensitive"].any()
    days = dataset.events["start"].dt.date.nunique()
    assert days == 10
    lengths = dataset.events["description"].str.len()
    assert 250 <= lengths.median() <= 400
    document = json.loads((first / "events.geojson").read_text())
    sample = {"type": "FeatureCollection", "features": document["features"][:300]}
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(sample)) == []


def test_acled_style_export_loads_through_the_preset_and_is_deterministic(tmp_path):
    first = write_acled_dataset(2000, tmp_path / "a")
    second = write_acled_dataset(2000, tmp_path / "b")
    assert (first / "events.csv").read_bytes() == (second / "events.csv").read_bytes()
    header = (first / "events.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ACLED_COLUMNS
    dataset = load_dataset(first)
    assert len(dataset.events) == 2000
    assert set(dataset.events["category"].astype(str)) == {
        "protests",
        "riots",
        "battles",
        "violence-against-civilians",
        "strategic-developments",
    }
    assert set(dataset.events["time_precision"].astype(str)) == {"day", "week", "month"}
    assert dataset.events["title"].str.endswith(" in Almaty").all()
    # ACLED's 0 is "none reported": most rows have no figure, the rest keep theirs.
    assert 0.7 < dataset.events["fatalities"].isna().mean() < 0.9
