"""Text search: any case, in the title, description, place or one actor's name; never across
the JSON an event's actors are kept in; and it keeps no copy of the text once it is done."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.filtering import EventFilter, select
from harness.synthetic import write_dataset
from tests.conftest import DATA


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    doc = json.loads((DATA / "base" / "events.geojson").read_text())
    actors = {
        "spans-midnight": ["Жастар Одағы", 'the "Blue" group'],
        "after-midnight-local": [],
        "home": ["a", "b", "c\\d"],
    }
    for feature in doc["features"]:
        feature["properties"]["actors"] = actors[feature["properties"]["id"]]
    doc["features"][2]["properties"]["title"] = "ÄRZTE AUF DEM PLATZ"
    folder = tmp_path_factory.mktemp("named")
    for name in ("dataset.toml", "events.geojson"):
        (folder / name).write_text((DATA / "base" / name).read_text())
    (folder / "events.geojson").write_text(json.dumps(doc, ensure_ascii=False))
    return load_dataset(folder)


def found(dataset, text: str) -> set[str]:
    return set(dataset.events["id"].to_numpy()[select(dataset, EventFilter(text=text))])


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("жастар одағы", {"spans-midnight"}),
        ("ЖАСТАР", {"spans-midnight"}),
        ('"blue" GROUP', {"spans-midnight"}),
        ("ärzte", {"home"}),
        ("c\\d", {"home"}),
        ("00:30 IN ALMATY", {"after-midnight-local"}),  # the description
        ("near the SQUARE", {"after-midnight-local"}),  # the place
        (",", set()),  # the actors' JSON is not text: its separators match nothing
        ('","', set()),
        ("[", set()),
        ("a\nb", set()),  # nor does a search run from one actor into the next
    ],
)
def test_text_is_found_in_any_case_within_one_field(named, text, ids):
    assert found(named, text) == ids


SEARCH_COST = """
import json, sys
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.filtering import EventFilter, select
from almaty_map.geodata.memory import release_memory

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

def peak():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024

dataset = load_dataset(sys.argv[1])
release_memory()
open("/proc/self/clear_refs", "w").write("5")  # the peak counts from here
before = rss()
hits = [len(select(dataset, EventFilter(text=t))) for t in ("street", "Абай", "zzz")]
print(json.dumps({"hits": hits, "kept": rss() - before, "peak": peak() - before}))
"""


def test_a_search_of_30000_events_costs_a_few_megabytes(tmp_path):
    """Before, the first search built a case-folded copy of all the text and kept it: 78 MB
    here (over 200 MB at 100,000 events)."""
    folder = write_dataset(30_000, tmp_path / "events")
    out = subprocess.run(
        [sys.executable, "-c", SEARCH_COST, str(folder)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["hits"][0] > 0 and result["hits"][2] == 0
    assert result["kept"] < 15 and result["peak"] < 25, result
