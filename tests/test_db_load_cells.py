"""A new version keeps the map's stored cells when it draws every event as before (a
version that corrects titles and sources), and rebuilds them when it does not: the cells
are then exactly those a first load of that version builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import column, select, table, text

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import slice_cells, tile_cells, tile_slices
from harness.synthetic import write_dataset
from tests.conftest import loaded_database, new_database

pytestmark = pytest.mark.db

CELLS = (tile_cells, tile_slices, slice_cells)


def _rows(url: str, with_versions: bool) -> dict[str, list[tuple]]:
    """Every stored cell, sorted; with each row's version (xmin: it changes when a row is
    written again, so equal versions mean the rows were kept, not rebuilt)."""
    engine = open_engine(url)
    found = {}
    with engine.connect() as connection:
        for cells in CELLS:
            named = table(cells.name, *(column(c.name) for c in cells.columns))
            columns = [*named.c]
            if with_versions:
                columns.append(text("xmin::text"))
            query = select(*columns).select_from(named)
            found[cells.name] = sorted(map(tuple, connection.execute(query).all()), key=repr)
    engine.dispose()
    return found


def _changed(folder: Path, out: Path, change) -> Path:
    """A copy of ``folder`` with ``change`` applied to its events' features (or, for
    ``_rezone``, to its settings)."""
    shutil.copytree(folder, out)
    if change is _rezone:
        settings = out / "dataset.toml"
        zoned = settings.read_text(encoding="utf-8").replace("Asia/Almaty", "Asia/Tokyo")
        settings.write_text(zoned, encoding="utf-8")
        return out
    path = out / "events.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    change(collection["features"])
    path.write_text(json.dumps(collection), encoding="utf-8")
    return out


def _retitle(features: list[dict]) -> None:
    for feature in features[::7]:
        feature["properties"]["title"] += " (corrected)"


def _move(features: list[dict]) -> None:
    point = next(f for f in features if f["geometry"] and f["geometry"]["type"] == "Point")
    point["geometry"]["coordinates"][0] += 0.02


def _reorder(features: list[dict]) -> None:
    features[0], features[-1] = features[-1], features[0]


def _rezone(features: list[dict]) -> None:
    """The same events in another time zone: the days, and their cells, move."""


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> Path:
    return write_dataset(1200, tmp_path_factory.mktemp("cells") / "first")


def test_a_version_drawn_as_before_keeps_every_stored_cell(postgres, first, tmp_path):
    _, url = new_database(postgres)
    loaded_database(url, first)
    before = _rows(url, with_versions=True)
    assert all(before[name] for name in ("tile_cells", "tile_slices", "slice_cells"))
    loaded_database(url, _changed(first, tmp_path / "retitled", _retitle))
    assert _rows(url, with_versions=True) == before


@pytest.mark.parametrize(
    "change", [_move, _reorder, _rezone], ids=["moved", "reordered", "other-zone"]
)
def test_a_version_drawn_otherwise_has_the_cells_a_first_load_builds(
    postgres, first, tmp_path, change
):
    second = _changed(first, tmp_path / "second", change)
    _, fresh = new_database(postgres)
    loaded_database(fresh, second)
    _, url = new_database(postgres)
    loaded_database(url, first)
    before = _rows(url, with_versions=False)
    loaded_database(url, second)
    after = _rows(url, with_versions=False)
    assert after != before
    assert after == _rows(fresh, with_versions=False)
