"""Only the formats the README lists are read, each recognised by its name and its content,
and reading a dataset never reaches the network: a VRT or a file dressed up as another format
is refused before GDAL sees it, and a local HTTP server counts every request that arrives."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.geodata.readers.gdal import OFFLINE, offline
from tests.conftest import DATA

ACCEPTED = "GeoJSON (.geojson, .json); GeoPackage (.gpkg); FlatGeobuf (.fgb); Shapefile (.shp)"


class CountingServer(http.server.ThreadingHTTPServer):
    """Answers every request with a small CSV of one "event", and remembers the paths."""

    def __init__(self):
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    BODY = b'WKT,id\n"POINT (76.95 43.25)",remote\n'

    def do_GET(self):
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    def do_HEAD(self):
        self.do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    counting = CountingServer()
    thread = threading.Thread(target=counting.serve_forever, daemon=True)
    thread.start()
    yield counting
    counting.shutdown()
    counting.server_close()


def vrt(source: str) -> str:
    return (
        "<OGRVRTDataSource><OGRVRTLayer name='events'>"
        f"<SrcDataSource>{source}</SrcDataSource>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        "<GeometryField encoding='WKT' field='WKT'/>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """In a child process: GDAL would hold the interpreter's lock while it downloads, and the
    counting server must be free to answer (and count)."""
    code = "import sys; from almaty_map.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def with_events(make_dataset, name: str, content: str | bytes) -> Path:
    folder = make_dataset()
    (folder / "events.geojson").unlink()
    target = folder / name
    target.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


@pytest.mark.parametrize(
    ("name", "source", "msg"),
    [
        ("events.vrt", "CSV:/etc/passwd", "is not in a format almaty-map reads"),
        ("events.vrt", "/vsicurl/{url}/events.csv", "is not in a format almaty-map reads"),
        ("events.kml", "CSV:/etc/passwd", "is not a KML file"),
        ("events.gpkg", "/vsicurl/{url}/events.csv", "is not a GeoPackage file"),
        ("events.fgb", "CSV:/etc/passwd", "is not a FlatGeobuf file"),
        ("events.shp", "/vsicurl/{url}/events.csv", "is not a Shapefile file"),
    ],
)
def test_a_file_gdal_would_follow_elsewhere_is_refused(make_dataset, server, name, source, msg):
    content = Path("/etc/passwd").read_text() if source is None else vrt(source)
    folder = with_events(make_dataset, name, content.replace("{url}", server.url))
    result = run_cli("validate", str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{name}: {msg}" in result.stdout
    assert ACCEPTED in result.stdout
    assert "Traceback" not in result.stderr
    assert "/etc/passwd" not in result.stdout + result.stderr
    assert "root:" not in result.stdout + result.stderr
    assert server.paths == []


def _typed_frame(folder: Path, url: str) -> gpd.GeoDataFrame:
    """The base events as a typed layer, with sources that name the counting server."""
    frame = gpd.read_file(folder / "events.geojson", engine="pyogrio")
    frame["sources"] = [
        json.dumps(
            [{"publication": "P", "title": "T", "date": "2022", "url": f"{url}/s{i}", "quote": "Q"}]
        )
        for i in range(len(frame))
    ]
    frame["actors"] = frame["actors"].map(lambda v: json.dumps(list(v if v is not None else [])))
    return frame


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".fgb", "FlatGeobuf")])
def test_geopackage_and_flatgeobuf_are_read_without_a_request(
    make_dataset, server, tmp_path, suffix, driver
):
    folder = make_dataset()
    frame = _typed_frame(folder, server.url)
    (folder / "events.geojson").unlink()
    frame.to_file(folder / f"events{suffix}", driver=driver, engine="pyogrio")
    result = run_cli("validate", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid, 3 events" in result.stdout and f"events{suffix}" in result.stdout
    out = tmp_path / "map.html"
    assert run_cli("export", "--data", str(folder), "--out", str(out)).returncode == 0
    assert f"{server.url}/s0" in out.read_text()  # the links are data, never fetched
    assert server.paths == []


def _places_shapefile(make_dataset) -> tuple[Path, gpd.GeoDataFrame]:
    """The reference places that are points (a Shapefile holds one kind of shape)."""
    folder = make_dataset(places=DATA / "reference-places.geojson")
    places = gpd.read_file(folder / "places.geojson", engine="pyogrio")
    places = places[places.geom_type == "Point"][["id", "name", "kind", "geometry"]]
    (folder / "places.geojson").unlink()
    places.to_file(folder / "places.shp", engine="pyogrio")
    return folder, places


def test_places_may_be_a_shapefile(make_dataset):
    folder, places = _places_shapefile(make_dataset)
    dataset = load_dataset(folder)
    assert sorted(dataset.places["id"]) == sorted(places["id"])
    assert "places.shp" in dataset.files


def test_a_shapefile_part_that_is_a_fifo_is_refused_unopened(make_dataset):
    folder, _ = _places_shapefile(make_dataset)
    (folder / "places.dbf").unlink()
    os.mkfifo(folder / "places.dbf")
    dataset, problems = inspect_dataset(folder)  # GDAL would block opening the FIFO
    assert dataset is None
    assert any(p.file == "places.dbf" and "not a regular file" in str(p) for p in problems)


def test_a_folder_gdal_would_read_as_an_archive_is_refused(make_dataset, tmp_path):
    folder = make_dataset()
    frame = _typed_frame(folder, "https://example.org")
    frame.to_file(tmp_path / "events.gpkg", driver="GPKG", engine="pyogrio")
    odd = tmp_path / "news!room"
    odd.mkdir()
    (odd / "dataset.toml").write_text((folder / "dataset.toml").read_text())
    (tmp_path / "events.gpkg").rename(odd / "events.gpkg")
    dataset, problems = inspect_dataset(odd)
    assert dataset is None
    assert any("would read as an archive" in str(p) for p in problems), problems


def test_gdal_reads_no_url_while_a_dataset_is_read(server):
    """The allow-list keeps URLs from GDAL; this is the second line: GDAL's own settings."""
    with offline():
        for path in (f"/vsicurl/{server.url}/a.fgb", f"/vsicurl?url={server.url}/b.fgb"):
            with pytest.raises(pyogrio.errors.DataSourceError):
                pyogrio.read_info(path)
    assert server.paths == []
    assert all(pyogrio.get_gdal_config_option(name) is None for name in OFFLINE)


def kml(url: str) -> str:
    """A placemark, and links that Google Earth would follow: a NetworkLink, an icon, an
    overlay image and a model."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Style id="s"><IconStyle><Icon><href>{url}/icon.png</href></Icon></IconStyle></Style>
<NetworkLink><name>more</name><Link><href>{url}/more.kml</href></Link></NetworkLink>
<GroundOverlay><Icon><href>{url}/overlay.png</href></Icon>
<LatLonBox><north>43.3</north><south>43.2</south><east>77</east><west>76.9</west></LatLonBox>
</GroundOverlay>
<Placemark><name>Rally</name><styleUrl>{url}/styles.kml#s</styleUrl>
<ExtendedData><Data name="date"><value>2022-01-05</value></Data></ExtendedData>
<Point><coordinates>76.9455,43.2386,0</coordinates></Point></Placemark>
<Placemark><name>Model</name><Model><Location><longitude>76.95</longitude>
<latitude>43.25</latitude></Location><Link><href>{url}/model.dae</href></Link></Model></Placemark>
</Document></kml>"""


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_a_kml_makes_no_request(make_dataset, server, tmp_path, suffix):
    import zipfile

    folder = with_events(make_dataset, "events.kml", kml(server.url))
    if suffix == ".kmz":
        with zipfile.ZipFile(folder / "events.kmz", "w") as archive:
            archive.write(folder / "events.kml", "doc.kml")
        (folder / "events.kml").unlink()
    result = run_cli("validate", str(folder))
    assert f"events{suffix}" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert server.paths == []


def test_the_kml_test_server_would_be_reached_with_the_network_on(server, tmp_path):
    """The requests above would reach the counting server if GDAL's network were on: the
    test is not passing only because nothing is ever fetched."""
    code = (
        "import pyogrio, sys; "
        "print(len(pyogrio.read_dataframe('/vsicurl/' + sys.argv[1] + '/more.kml')))"
    )
    subprocess.run([sys.executable, "-c", code, server.url], capture_output=True, timeout=60)
    assert server.paths
