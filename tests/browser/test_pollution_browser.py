"""Keys that name JavaScript's object machinery (``__proto__``, ``constructor``,
``prototype``) are data like any other: an event carrying them in its extra properties or in
a source round-trips through the export exactly, and no object's prototype changes."""

from __future__ import annotations

import json

import orjson
import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.formats import events_csv, events_geojson
from almaty_map.maprender.build import MapSpec, export_page
from tests.browser.conftest import open_map
from tests.conftest import DATA

pytestmark = pytest.mark.browser

HOSTILE_KEYS = (
    '"__proto__": {"polluted": "yes", "title": "from the prototype"}, '
    '"constructor": {"prototype": {"polluted": "yes"}}, "prototype": {"polluted": "yes"}, '
)
# What would show if any of those keys reached an object's prototype.
POLLUTED = """() => {
    const event = almatyMap.geojson().features.find((f) => f.id === "spans-midnight");
    return [({}).polluted, Object.prototype.polluted, [].polluted,
      Object.getPrototypeOf(event.properties) === Object.prototype,
      Object.getPrototypeOf(event.properties.sources[0]) === Object.prototype,
      Object.keys(event.properties).includes("__proto__"),
      Object.keys(event.properties.sources[0]).includes("__proto__")];
}"""


@pytest.fixture
def keyed_dataset(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"actors": ["protesters"],', '"actors": ["protesters"], ' + HOSTILE_KEYS, 1)
    text = text.replace(
        '"quote": "It went on past midnight."',
        '"quote": "It went on past midnight.", ' + HOSTILE_KEYS.rstrip(", "),
        1,
    )
    return load_dataset(make_dataset(events=text))


def test_prototype_keys_round_trip_and_pollute_nothing(watched, keyed_dataset, tmp_path):
    served = orjson.loads(events_geojson(keyed_dataset, range(len(keyed_dataset.events))))
    properties = next(f["properties"] for f in served["features"] if f["id"] == "spans-midnight")
    assert properties["__proto__"]["polluted"] == "yes"  # the loader kept them as data
    assert properties["sources"][0]["constructor"] == {"prototype": {"polluted": "yes"}}
    path = tmp_path / "keys.html"
    write_output(export_page(keyed_dataset, MapSpec()), path)
    page = open_map(watched, path)
    embedded = json.loads(page.evaluate("JSON.stringify(almatyMap.geojson())"))
    assert embedded["features"] == served["features"]
    assert page.evaluate(POLLUTED) == [None, None, None, True, True, True, True]
    csv_text = page.evaluate("almatyMap.csv()")
    expected = events_csv(keyed_dataset, range(len(keyed_dataset.events)))
    assert csv_text == (expected.decode() if isinstance(expected, bytes) else expected)
    text = page.evaluate("almatyMap.open('spans-midnight')")
    assert "Rally through the night" in text and "from the prototype" not in text
    assert page.evaluate(POLLUTED) == [None, None, None, True, True, True, True]
