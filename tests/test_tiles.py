"""OGC API - Tiles from PostGIS: tiles GDAL's MVT driver reads, filtered as the items are."""

from __future__ import annotations

import math

import pyogrio
import pytest
from pyproj import Transformer

from almaty_map.app import create_app
from almaty_map.database.tiles import PROPERTIES
from almaty_map.ogcapi.tiles import FEATURE_PROPERTIES
from almaty_map.web.gzipped import pack
from tests.conftest import DATA, loaded_database, new_database, stop_listening

pytestmark = pytest.mark.db

TILES = "/ogc/collections/events/tiles/WebMercatorQuad"
MVT = "application/vnd.mapbox-vector-tile"
TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
WORLD = 2 * 20037508.342789244
# Where tests/data/base's events are.
ALMATY = (76.93, 43.23)
BASE_IDS = {"spans-midnight", "after-midnight-local", "home"}


@pytest.fixture(scope="module")
def base_url_db(postgres):
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    return url


@pytest.fixture(scope="module")
def db_client(base_url_db):
    app = create_app({"TESTING": True, "DATABASE_URL": base_url_db})
    yield app.test_client()
    stop_listening(app)


@pytest.fixture(scope="module")
def files_client():
    return create_app({"TESTING": True, "DATA_PATH": DATA / "base"}).test_client()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (column, row) of WebMercatorQuad's matrix ``z`` holding a point."""
    x, y = TO_MERCATOR.transform(lon, lat)
    side = 2**z
    return int((x + WORLD / 2) / WORLD * side), int((WORLD / 2 - y) / WORLD * side)


def read_tile(client, z: int, col: int, row: int, query: str = "", tmp_path=None):
    """The tile as GDAL reads it (in EPSG:3857, placed by its z/x/y), or None if empty."""
    response = client.get(f"{TILES}/{z}/{row}/{col}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MVT
    if not response.data:
        return None
    path = tmp_path / f"{z}-{row}-{col}.pbf"
    path.write_bytes(response.data)
    return pyogrio.read_dataframe(path, X=str(col), Y=str(row), Z=str(z))


def ids_in(client, query: str, tmp_path) -> set[str]:
    col, row = tile_of(*ALMATY, 8)
    frame = read_tile(client, 8, col, row, query, tmp_path)
    return set() if frame is None else set(frame["id"])


def item_ids(client, query: str) -> set[str]:
    separator = "&" if query else "?"
    response = client.get(f"/ogc/collections/events/items{query}{separator}limit=1000")
    assert response.status_code == 200
    return {f["id"] for f in response.get_json()["features"]}


def test_gdal_reads_each_event_at_its_place_with_its_properties(db_client, tmp_path):
    z = 12
    col, row = tile_of(*ALMATY, z)
    frame = read_tile(db_client, z, col, row, tmp_path=tmp_path).set_index("id")
    assert set(frame.index) == BASE_IDS
    unit = WORLD / 2**z / 4096  # one step of the tile's grid, in metres
    x, y = TO_MERCATOR.transform(76.9455, 43.2386)
    point = frame.loc["spans-midnight", "geometry"]
    assert abs(point.x - x) <= unit and abs(point.y - y) <= unit
    row_ = frame.loc["spans-midnight"]
    assert (row_["category"], row_["start"], row_["end"]) == (
        "protest",
        "2022-01-06T17:00:00Z",
        "2022-01-06T19:00:00Z",
    )
    assert (row_["geo_precision"], row_["time_precision"]) == ("exact", "hour")
    later = frame.loc["after-midnight-local"]
    assert later["end"] is None or (isinstance(later["end"], float) and math.isnan(later["end"]))
    assert later["geo_precision"] == "approximate"


def test_a_sensitive_event_is_drawn_at_its_grid_cell_never_its_shape(db_client, tmp_path):
    """The database keeps the home's exact polygon; the tile must show it where the items
    (coarsened by the files' own loader) do."""
    cell = db_client.get("/ogc/collections/events/items/home").get_json()["geometry"]
    assert cell["type"] == "Point"
    z = 16
    col, row = tile_of(*cell["coordinates"], z)
    frame = read_tile(db_client, z, col, row, tmp_path=tmp_path).set_index("id")
    home = frame.loc["home", "geometry"]
    assert home.geom_type == "Point"
    x, y = TO_MERCATOR.transform(*cell["coordinates"])
    unit = WORLD / 2**z / 4096
    assert abs(home.x - x) <= unit and abs(home.y - y) <= unit
    assert frame.loc["home", "geo_precision"] == "area"


@pytest.mark.parametrize(
    "datetime",
    [
        "2022-01-06",
        "2022-01-07",
        "2022-01-05",
        "2022-01-06T23:00:00+06:00",
        "2022-01-06T18:30:00Z/..",
        "../2022-01-06T18:30:00Z",
        "2022-01-06T18:30:00.000001Z/..",
        "2022-01-06T19:00:00Z/..",
        "../2022-01-05T06:00:00Z",
        "2030-01-01/..",
    ],
)
def test_datetime_selects_the_same_events_as_the_items(db_client, datetime, tmp_path):
    query = f"?datetime={datetime.replace('+', '%2B')}"
    assert ids_in(db_client, query, tmp_path) == item_ids(db_client, query)


def test_categories_select_the_same_events_as_the_items(db_client, tmp_path):
    for query in ("?category=violence", "?category=protest", "?category=protest,violence"):
        assert ids_in(db_client, query, tmp_path) == item_ids(db_client, query)
    assert ids_in(db_client, "?category=violence", tmp_path) == {"after-midnight-local"}


@pytest.mark.parametrize(
    "query",
    [
        "?datetime=yesterday",
        "?datetime=2022-01-07/2022-01-06",
        "?category=nonsense",
        "?category=%3Cscript%3E",
    ],
)
def test_a_bad_filter_is_the_400_the_items_answer(db_client, query):
    tile = db_client.get(f"{TILES}/0/0/0{query}")
    items = db_client.get(f"/ogc/collections/events/items{query}")
    assert tile.status_code == items.status_code == 400
    assert tile.get_json() == items.get_json()


def test_unknown_parameters_and_formats_are_named(db_client):
    response = db_client.get(f"{TILES}/0/0/0?bbox=1,2,3,4&f=json")
    assert response.status_code == 400
    named = {p["parameter"] for p in response.get_json()["problems"]}
    assert named == {"bbox", "f"}


@pytest.mark.parametrize(
    "address",
    ["0/0/0", "24/0/0", "24/16777215/16777215", "1/1/1", "14/5000/12000", "-0/0/0"],
)
def test_every_tile_of_the_matrices_is_answered(db_client, address):
    response = db_client.get(f"{TILES}/{address}")
    assert response.status_code == 200
    assert response.mimetype == MVT


@pytest.mark.parametrize(
    "address",
    [
        "25/0/0",
        "0/1/0",
        "0/0/1",
        "1/2/0",
        "24/16777216/0",
        "-1/0/0",
        "3/-1/0",
        "3/0/-5",
        "99999999999999999999/0/0",
        "2/" + "9" * 5000 + "/0",
    ],
)
def test_a_tile_outside_the_matrices_is_404(db_client, address):
    response = db_client.get(f"{TILES}/{address}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NotFound"
    assert "WebMercatorQuad" in response.get_json()["description"]


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("a/0/0", "tileMatrix"),
        ("1/1.0/0", "tileRow"),
        ("1/0/+1", "tileCol"),
        ("1/0/%201", "tileCol"),
        ("1/1_0/0", "tileRow"),
        ("1/0/0x1", "tileCol"),
        ("%D9%A1/0/0", "tileMatrix"),  # an Arabic-Indic one, which int() would take
        ("1e3/0/0", "tileMatrix"),
    ],
)
def test_a_tile_address_that_is_not_a_number_is_400_naming_it(db_client, address, parameter):
    response = db_client.get(f"{TILES}/{address}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def test_hostile_text_in_the_address_is_never_echoed_as_html(db_client):
    response = db_client.get(f"{TILES}/%3Cscript%3Ealert(1)%3C%3E/0/0?f=html")
    assert response.status_code == 400
    assert b"<script>alert" not in response.data


def test_other_collections_and_schemes_have_no_tiles(db_client):
    assert db_client.get("/ogc/collections/places/tiles").status_code == 404
    assert db_client.get("/ogc/collections/places/tiles/WebMercatorQuad/0/0/0").status_code == 404
    assert db_client.get("/ogc/collections/events/tiles/WorldCRS84Quad/0/0/0").status_code == 404
    assert db_client.get("/ogc/tileMatrixSets/WorldCRS84Quad").status_code == 404


def test_a_client_with_the_tile_is_answered_304(db_client):
    first = db_client.get(f"{TILES}/0/0/0?category=protest")
    assert first.headers["ETag"]
    again = db_client.get(
        f"{TILES}/0/0/0?category=protest", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    other = db_client.get(f"{TILES}/0/0/0?category=violence")
    assert other.headers["ETag"] != first.headers["ETag"]


def test_the_documents_lead_from_the_collection_to_a_tile(db_client):
    collection = db_client.get("/ogc/collections/events").get_json()
    tilesets_href = next(
        link["href"]
        for link in collection["links"]
        if link["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
    )
    tilesets = db_client.get(tilesets_href).get_json()
    tileset_href = tilesets["tilesets"][0]["links"][0]["href"]
    tileset = db_client.get(tileset_href).get_json()
    assert tileset["dataType"] == "vector"
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    assert template.endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    tile = db_client.get(template.format(tileMatrix=0, tileRow=0, tileCol=0))
    assert tile.status_code == 200 and tile.data
    scheme = next(link for link in tileset["links"] if link["rel"].endswith("tiling-scheme"))
    matrices = db_client.get(scheme["href"]).get_json()["tileMatrices"]
    assert len(matrices) == 25
    assert matrices[0]["scaleDenominator"] == pytest.approx(559082264.0287178)
    assert matrices[24]["matrixWidth"] == 2**24
    conformance = db_client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conformance
    listed = db_client.get("/ogc/tileMatrixSets").get_json()["tileMatrixSets"]
    assert [s["id"] for s in listed] == ["WebMercatorQuad"]


def test_on_files_tiles_are_a_404_saying_they_need_the_database(files_client):
    for path in (f"{TILES}/0/0/0", "/ogc/collections/events/tiles", TILES):
        response = files_client.get(path)
        assert response.status_code == 404
        assert "--db" in response.get_json()["description"]
    collection = files_client.get("/ogc/collections/events").get_json()
    assert not any("tilesets" in link["rel"] for link in collection["links"])
    conformance = files_client.get("/ogc/conformance").get_json()["conformsTo"]
    assert not any("ogcapi-tiles" in c for c in conformance)
    assert files_client.get("/ogc/tileMatrixSets/WebMercatorQuad").status_code == 200


def test_a_tile_is_built_once_for_every_reader(db_client):
    """The second reader's tile comes from memory: no statement reaches the database."""
    from sqlalchemy import event

    engine = db_client.application.extensions["almaty_map"].backend.engine
    statements = []

    def seen(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", seen)
    try:
        first = db_client.get(f"{TILES}/3/2/5?category=violence")
        built = len(statements)
        again = db_client.get(f"{TILES}/3/2/5?category=violence")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert built > 0 and len(statements) == built
    assert again.data == first.data and again.status_code == 200


def test_a_tile_is_compressed_once_for_every_reader(db_client, monkeypatch):
    """A city's tile is about a megabyte: compressing it per request cost more than
    building it from the stored cells, so its gzip body is kept beside it."""
    import gzip

    from almaty_map.web import tiles as views

    packed = []
    monkeypatch.setattr(views, "pack", lambda raw: packed.append(raw) or pack(raw))
    url = f"{TILES}/3/2/5?datetime=2022-01-01T00:00:00Z/.."
    zipped = [db_client.get(url, headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
    plain = db_client.get(url, headers={"Accept-Encoding": "identity"})
    assert len(packed) == 1 and plain.data == packed[0] and plain.data
    for response in zipped:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
        assert gzip.decompress(response.data) == plain.data
    assert "Content-Encoding" not in plain.headers


TILE_PATH = "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"


def test_openapi_describes_the_tile_paths_when_a_database_serves_them(db_client, files_client):
    doc = db_client.get("/ogc/openapi?f=json").get_json()
    tile = doc["paths"][TILE_PATH]["get"]
    names = {p["name"] for p in tile["parameters"]}
    assert names == {
        "collectionId",
        "tileMatrixSetId",
        "tileMatrix",
        "tileRow",
        "tileCol",
        "f",
        "datetime",
        "category",
        "properties",
    }
    matrix = next(p for p in tile["parameters"] if p["name"] == "tileMatrix")
    assert matrix["in"] == "path" and matrix["schema"]["maximum"] == 24
    category = next(p for p in tile["parameters"] if p["name"] == "category")
    assert "protest" in category["schema"]["items"]["enum"]
    assert MVT in tile["responses"]["200"]["content"]
    for path in ("/collections/{collectionId}/tiles", "/tileMatrixSets"):
        assert path in doc["paths"]
    # Every path it describes answers (its one collection and scheme filled in).
    for path in doc["paths"]:
        filled = path.replace("{collectionId}", "events").replace(
            "{tileMatrixSetId}", "WebMercatorQuad"
        )
        filled = filled.replace("{tileMatrix}/{tileRow}/{tileCol}", "0/0/0")
        if "{" not in filled:
            assert db_client.get("/ogc" + filled).status_code == 200, filled
    page = db_client.get("/ogc/openapi?f=html").get_data(as_text=True)
    assert "{tileMatrix}/{tileRow}/{tileCol}" in page
    on_files = files_client.get("/ogc/openapi?f=json").get_json()["paths"]
    assert not any("/tiles" in path for path in on_files)
    assert "/tileMatrixSets/{tileMatrixSetId}" in on_files


def test_properties_keeps_only_those_the_same_features_at_the_same_places(db_client, tmp_path):
    col, row = tile_of(*ALMATY, 8)
    whole = read_tile(db_client, 8, col, row, "", tmp_path)
    lean = read_tile(db_client, 8, col, row, "?properties=n,id,geo_precision", tmp_path)
    gdal = {"mvt_id", "geometry"}  # GDAL's own columns
    assert set(whole.columns) - gdal == {*FEATURE_PROPERTIES}
    assert set(lean.columns) - gdal == {"id", "geo_precision", "n"}
    assert list(lean["id"]) == list(whole["id"])
    assert list(lean["n"]) == list(whole["n"])
    assert list(lean["geo_precision"]) == list(whole["geo_precision"])
    assert lean.geometry.geom_equals(whole.geometry).all()
    assert len(db_client.get(f"{TILES}/8/{row}/{col}?properties=id").data) < len(
        db_client.get(f"{TILES}/8/{row}/{col}").data
    )


def test_every_property_is_named_alike_in_the_tile_its_request_and_its_tileset(db_client):
    tileset = db_client.get(TILES).get_json()
    schema = tileset["layers"][0]["propertiesSchema"]["properties"]
    assert PROPERTIES == FEATURE_PROPERTIES == tuple(schema)


@pytest.mark.parametrize("value", ["", "id,,n", "id,title", "<b>start</b>"])
def test_an_unknown_or_empty_property_is_a_400_naming_the_parameter(db_client, value):
    response = db_client.get(f"{TILES}/0/0/0?properties={value}")
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert [p["parameter"] for p in problems] == ["properties"]
    assert "id, category, start, end" in problems[0]["expected"]
    assert response.mimetype == "application/json"
