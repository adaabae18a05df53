"""Events placed only in a city: listed apart on a map of one city, drawn on a map of many.

An ACLED export gives every event a town's coordinates. On a map of Almaty alone, "somewhere
in Almaty" is no place and the events are listed under "place not known"; on a map of a
country the town is what the sources say, so the same events are drawn at it.
"""

from __future__ import annotations

import pytest

from almaty_map.cli.outfile import write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import export_page
from tests.browser.conftest import open_map
from tests.test_acled import EXPORT, acled_folder

pytestmark = pytest.mark.browser


def export_of(tmp_path, csv_text: str):
    folder = acled_folder(tmp_path, csv_text)
    dataset = load_dataset(folder)
    path = tmp_path / "map.html"
    write_output(export_page(dataset), path)
    return dataset, path


def drawn_and_listed(watched, path) -> tuple[int, str]:
    page = watched.page
    open_map(watched, path)
    page.evaluate(
        "almatyMap.setMode('cumulative'); almatyMap.setSlice(almatyMap.slices().length - 1)"
    )
    page.evaluate("AlmatyMapLib.current.map.setZoom(3, {animate: false})")
    page.wait_for_timeout(200)
    drawn = page.evaluate("AlmatyMapLib.current.layer.drawn")
    return drawn["symbols"] + drawn["areas"], page.inner_text("body")


def test_a_map_of_one_city_lists_them_apart(watched, tmp_path):
    rows = EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    almaty = [row for row in rows if "Taldykorgan" not in row]
    assert len(almaty) == len(rows) - 1
    dataset, path = export_of(tmp_path, "".join(almaty))
    assert set(dataset.events["geo_precision"].astype(str)) == {"city"}
    drawn, text = drawn_and_listed(watched, path)
    assert drawn == 0
    assert f"{len(dataset.events)} events: place not known" in text


def test_a_map_of_many_towns_draws_them_at_their_town(watched, tmp_path):
    """The sample has an event in Taldykorgan, 230 km from Almaty."""
    dataset, path = export_of(tmp_path, EXPORT.read_text(encoding="utf-8"))
    assert set(dataset.events["geo_precision"].astype(str)) == {"city"}
    drawn, text = drawn_and_listed(watched, path)
    assert drawn == len(dataset.events)
    assert "place not known" not in text


def test_the_card_says_what_the_importer_wrote(watched, tmp_path):
    """ACLED's 0 deaths is not a confirmed zero, and its titles are built from the row."""
    _, path = export_of(tmp_path, EXPORT.read_text(encoding="utf-8"))
    open_map(watched, path)
    text = watched.page.evaluate("almatyMap.open('XKZ0101')")
    assert "not a confirmed zero" in text
    assert "Written by the program, not by the source: title" in text
