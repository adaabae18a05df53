"""Each event's Web Mercator cell, kept by the database for the tiles (migration 0002):
filled for the rows a load writes and for those an upgrade finds, from the point readers
see (a sensitive event's is the centre of its grid cell), none for a shape."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from pyproj import Transformer
from sqlalchemy import inspect, select

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.database import migrate
from almaty_map.database.connect import open_engine
from almaty_map.database.schema import events
from tests.conftest import DATA, loaded_database, new_database

pytestmark = pytest.mark.db

TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
HALF = 20037508.342789244
CELLS = 2**30


@pytest.fixture
def folder(make_dataset):
    """tests/data/base (a sensitive polygon, drawn as a point) and an open polygon."""
    collection = json.loads((DATA / "base" / "events.geojson").read_text(encoding="utf-8"))
    shape = copy.deepcopy(
        next(f for f in collection["features"] if f["properties"]["id"] == "home")
    )
    shape["properties"]["id"] = "open-square"
    shape["properties"]["sensitive"] = False
    collection["features"].append(shape)
    return make_dataset(events=json.dumps(collection))


def readers_points(folder: Path) -> dict[str, tuple[float, float] | None]:
    """Each event's point as the API on files gives it (coarsened where sensitive)."""
    client = create_app({"TESTING": True, "DATA_PATH": folder}).test_client()
    found = client.get("/ogc/collections/events/items?limit=100").get_json()["features"]
    return {
        f["id"]: tuple(f["geometry"]["coordinates"]) if f["geometry"]["type"] == "Point" else None
        for f in found
    }


def expected(point: tuple[float, float] | None) -> tuple[int, int] | None:
    if point is None:
        return None
    x, y = TO_MERCATOR.transform(*point)
    return math.floor((x + HALF) / (2 * HALF) * CELLS), math.floor((HALF - y) / (2 * HALF) * CELLS)


def stored_keys(url: str) -> dict[str, tuple[int, int] | None]:
    engine = open_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(events.c.id, events.c.tile_x, events.c.tile_y)).all()
    engine.dispose()
    return {i: None if x is None else (x, y) for i, x, y in rows}


def assert_keys_are_the_readers_points(url: str, folder: Path) -> None:
    points = readers_points(folder)
    stored = stored_keys(url)
    assert stored.keys() == points.keys()
    assert any(p is None for p in points.values()), "the data has a shape"
    for event_id, point in points.items():
        want = expected(point)
        if want is None:
            assert stored[event_id] is None, event_id
        else:  # within one cell of 2^30 (4 cm): pyproj and PostgreSQL round apart
            assert stored[event_id] is not None, event_id
            assert all(abs(a - b) <= 1 for a, b in zip(stored[event_id], want, strict=True)), (
                event_id
            )


@pytest.fixture
def loaded(postgres, folder):
    name, url = new_database(postgres)
    loaded_database(url, folder)
    yield url
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_load_fills_the_keys_from_the_point_readers_see(loaded, folder):
    assert_keys_are_the_readers_points(loaded, folder)


def test_an_upgrade_fills_the_keys_of_the_rows_it_finds(loaded, folder):
    engine = open_engine(loaded)
    with engine.begin() as connection:
        config = migrate._config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert "tile_x" not in {c["name"] for c in inspect(engine).get_columns("events")}
    engine.dispose()
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", loaded], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    engine = open_engine(loaded)
    indexes = {i["name"] for i in inspect(engine).get_indexes("events")}
    engine.dispose()
    assert {"events_tile_keys", "events_shapes_gist", "events_tile_times"} <= indexes
    assert_keys_are_the_readers_points(loaded, folder)
