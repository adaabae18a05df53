"""The day slices' cells built at load (database.tileslices): a day's tile read from them is
the tile built from the events, the reader's page asks for exactly the days they were built
for, and a later load rebuilds them for its own version."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from almaty_map.app import create_app
from almaty_map.database.connect import open_engine
from almaty_map.database.schema import tile_slices
from almaty_map.database.tiles import tile
from almaty_map.database.tileslices import stored_slice
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.web.store import current_dataset
from harness.synthetic import write_dataset
from tests.conftest import loaded_database, new_database, stop_listening
from tests.test_tile_cells import city_tile, features
from tests.test_tiled_page import tiled_data

pytestmark = pytest.mark.db

ONE_US = dt.timedelta(microseconds=1)


@pytest.fixture(scope="module")
def days_app(postgres, tmp_path_factory):
    """1,500 synthetic events (some lasting days), served tiled past 100 on the page."""
    _, url = new_database(postgres)
    folder = tmp_path_factory.mktemp("days")
    loaded_database(url, write_dataset(1500, folder / "first"))
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MAX_PAGE_EVENTS": 100})
    yield app, url, folder
    stop_listening(app)


def stored_days(url: str) -> list[str]:
    """The days whose cells the load built, as the API's datetime (its end inclusive)."""
    engine = open_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(tile_slices).order_by(tile_slices.c.number)).all()
    engine.dispose()
    iso = "%Y-%m-%dT%H:%M:%S.%fZ"
    return [
        f"{r.start.astimezone(dt.UTC):{iso}}/{(r.end - ONE_US).astimezone(dt.UTC):{iso}}"
        for r in rows
    ]


def from_events(app, url: str, z: int, x: int, y: int, datetime: str, path) -> list[tuple]:
    """The same tile built from the events: the stored days forgotten in a transaction that
    is rolled back, so database.tiles groups the events themselves."""
    with app.app_context():
        flt = read_query(current_dataset().meta, QueryText(datetime=datetime)).filter
    engine = open_engine(url)
    with engine.connect() as connection:
        assert stored_slice(connection, flt) is not None  # the cells are there to be read
        connection.execute(delete(tile_slices))
        assert stored_slice(connection, flt) is None
        body = tile(connection, z, x, y, flt)
        connection.rollback()
    engine.dispose()
    path.write_bytes(body)
    return features_of(path, z, x, y) if body else []


def features_of(path, z: int, x: int, y: int) -> list[tuple]:
    import pyogrio

    frame = pyogrio.read_dataframe(path, X=str(x), Y=str(y), Z=str(z))
    return sorted(
        (r.id, r.n, r.category, r.geo_precision, r.start, r.geometry.wkt)
        for r in frame.itertuples()
    )


@pytest.mark.parametrize("z", [0, 9, 11, 12])
def test_a_days_tile_from_the_cells_is_the_tile_from_the_events(days_app, z, tmp_path):
    app, url, _ = days_app
    client = app.test_client()
    x, y = city_tile(z)
    days = stored_days(url)
    assert len(days) >= 3
    for datetime in days:
        stored = features(client, z, x, y, f"?datetime={datetime}", tmp_path / "a.pbf")
        assert stored == from_events(app, url, z, x, y, datetime, tmp_path / "b.pbf"), datetime
    busiest = max(
        days, key=lambda d: len(features(client, z, x, y, f"?datetime={d}", tmp_path / "c.pbf"))
    )
    assert (
        sum(f[1] for f in features(client, z, x, y, f"?datetime={busiest}", tmp_path / "d.pbf"))
        > 100
    )


def test_a_days_tile_with_categories_reads_the_days_cells(days_app, tmp_path):
    app, url, _ = days_app
    client = app.test_client()
    x, y = city_tile(11)
    datetime = stored_days(url)[2]
    query = f"?datetime={datetime}&category=protest&category=custody"
    stored = features(client, 11, x, y, query, tmp_path / "a.pbf")
    assert stored and {f[2] for f in stored} == {"protest", "custody"}
    everything = features(client, 11, x, y, f"?datetime={datetime}", tmp_path / "b.pbf")
    assert stored == [f for f in everything if f[2] in ("protest", "custody")]


def test_the_pages_day_slices_are_the_days_whose_cells_were_built(days_app):
    """The page and the load cut the days alike, or no switch would ever read the cells."""
    app, url, _ = days_app
    data = tiled_data(app.test_client(), "?slice=day")
    assert data is not None, "not tiled"
    engine = open_engine(url)
    with app.app_context(), engine.connect() as connection:
        meta = current_dataset().meta
        for piece in data["slices"][1:]:
            flt = read_query(meta, QueryText(datetime=piece["datetime"])).filter
            assert stored_slice(connection, flt) is not None, piece["datetime"]
    engine.dispose()
    assert len(data["slices"]) - 1 == len(stored_days(url))


def test_a_later_load_rebuilds_the_days_cells(days_app, tmp_path):
    _, url, folder = days_app
    loaded_database(url, write_dataset(2000, folder / "second"))
    app = create_app({"TESTING": True, "DATABASE_URL": url})  # reads the new version
    client = app.test_client()
    x, y = city_tile(9)
    total = 0
    for datetime in stored_days(url):
        stored = features(client, 9, x, y, f"?datetime={datetime}", tmp_path / "a.pbf")
        assert stored == from_events(app, url, 9, x, y, datetime, tmp_path / "b.pbf")
        total += sum(f[1] for f in stored)
    assert total >= 2000  # every event is in at least one day
    stop_listening(app)
