"""The coarse zooms' cells built at load (database.tilecells): a tile read from them is the
tile built from the events, and a later load rebuilds them for its own version."""

from __future__ import annotations

import math

import pyogrio
import pytest

from almaty_map.app import create_app
from almaty_map.database.tilecells import CELL_ZOOM
from harness.synthetic import write_dataset
from tests.conftest import loaded_database, new_database, stop_listening

pytestmark = pytest.mark.db

TILES = "/ogc/collections/events/tiles/WebMercatorQuad"
# A datetime holding every event: the same selection, built from the events instead.
EVERYTHING = "1900-01-01T00:00:00Z/2100-01-01T00:00:00Z"


def city_tile(z: int) -> tuple[int, int]:
    """The tile at zoom ``z`` holding the centre of Almaty, where the synthetic events are."""
    lat = math.radians(43.24)
    side = 2**z
    x = int((76.93 + 180) / 360 * side)
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * side)
    return x, y


def features(client, z: int, x: int, y: int, query: str, path) -> list[tuple]:
    response = client.get(f"{TILES}/{z}/{y}/{x}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    if not response.data:
        return []
    path.write_bytes(response.data)
    frame = pyogrio.read_dataframe(path, X=str(x), Y=str(y), Z=str(z))
    return sorted(
        (r.id, r.n, r.category, r.geo_precision, r.start, r.geometry.wkt)
        for r in frame.itertuples()
    )


@pytest.fixture(scope="module")
def grown(postgres, tmp_path_factory):
    """Two versions of the synthetic data: 1,500 events, then 2,000."""
    _, url = new_database(postgres)
    folder = tmp_path_factory.mktemp("cells")
    loaded_database(url, write_dataset(1500, folder / "first"))
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app, url, folder
    stop_listening(app)


@pytest.mark.parametrize("z", [0, 5, 9, 11, CELL_ZOOM])
@pytest.mark.parametrize("category", ["", "&category=protest"])
def test_a_tile_from_the_cells_is_the_tile_from_the_events(grown, z, category, tmp_path):
    app, _, _ = grown
    client = app.test_client()
    x, y = city_tile(z)
    stored = features(client, z, x, y, "?" + category[1:], tmp_path / "a.pbf")
    built = features(client, z, x, y, f"?datetime={EVERYTHING}{category}", tmp_path / "b.pbf")
    assert stored and stored == built
    assert sum(f[1] for f in stored) > 100  # many events, grouped


def test_a_later_load_rebuilds_the_cells(grown, tmp_path):
    _, url, folder = grown
    loaded_database(url, write_dataset(2000, folder / "second"))
    app = create_app({"TESTING": True, "DATABASE_URL": url})  # reads the new version
    client = app.test_client()
    x, y = city_tile(9)
    stored = features(client, 9, x, y, "", tmp_path / "a.pbf")
    assert sum(f[1] for f in stored) == 2000
    assert stored == features(client, 9, x, y, f"?datetime={EVERYTHING}", tmp_path / "b.pbf")
    stop_listening(app)
