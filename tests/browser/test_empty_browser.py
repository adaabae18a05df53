"""The export of a dataset with no events opens as an empty map, without an error."""

from __future__ import annotations

import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import export_page
from tests.browser.conftest import open_map

pytestmark = pytest.mark.browser


def test_an_empty_dataset_exports_an_empty_map(watched, make_dataset, tmp_path):
    dataset = load_dataset(make_dataset(events='{"type": "FeatureCollection", "features": []}'))
    path = tmp_path / "empty.html"
    write_output(export_page(dataset), path)
    page = open_map(watched, path)
    assert page.evaluate("almatyMap.events()") == []
    assert page.evaluate("almatyMap.shown()") == []
    assert page.locator(".leaflet-container").is_visible()
