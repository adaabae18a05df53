"""A sensitive location never leaves the loader: no output, format or message holds its
exact coordinates, or their rounding to 3 to 7 decimals."""

from __future__ import annotations

import base64
import json
import logging
import re
import zlib

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.maprender.build import MapSpec, export_page
from tests.conftest import DATA

HOME = (76.9234567, 43.2456789)  # a private home, in the data only


def roundings(value: float) -> set[str]:
    return {f"{value:.{digits}f}".rstrip("0") for digits in range(3, 8)} | {repr(value)}


SECRETS = roundings(HOME[0]) | roundings(HOME[1])


def leaks(text: str) -> list[str]:
    """Secret coordinates in a text, as whole numbers (43.2457 must not match 43.24571)."""
    return sorted({s for s in SECRETS if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", text)})


def unpacked(page: str) -> str:
    """A page with any packed (deflated, base64) data block opened up."""
    for block in re.findall(r'deflate-base64" id="[^"]+">([^<]+)<', page):
        page += zlib.decompress(base64.b64decode(block)).decode()
    return page


@pytest.fixture
def secret_dataset(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    polygon = "[[[76.90, 43.20], [76.92, 43.20], [76.92, 43.22], [76.90, 43.22], [76.90, 43.20]]]"
    home = json.dumps({"type": "Point", "coordinates": list(HOME)})
    text = text.replace('{"type": "Polygon", "coordinates": ' + polygon + "}", home)
    return make_dataset(events=text)


def test_the_secret_is_in_the_input_and_the_check_can_find_it(secret_dataset):
    assert leaks((secret_dataset / "events.geojson").read_text())


def test_no_output_holds_the_exact_location(secret_dataset, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app = create_app({"TESTING": True, "DATA_PATH": str(secret_dataset)})
    client = app.test_client()
    urls = [
        "/",
        "/?q=home",
        "/map",
        "/export",
        "/download.geojson",
        "/download.csv",
        "/ogc/collections/events/items",
        "/ogc/collections/events/items?f=html",
        "/ogc/collections/events/items?f=csv",
        "/ogc/collections/events/items/home",
        "/ogc/collections/events/items/home?f=html",
        "/ogc/collections/events/items/home?f=csv",
        "/ogc/collections/events",
        "/ogc/collections/events/items?bbox=76.92,43.24,76.93,43.25",
        "/ogc/collections/events/items?bbox=x",
    ]
    for url in urls:
        response = client.get(url)
        # A probe proves nothing unless it got the real output: check that first.
        assert response.status_code == (400 if url.endswith("bbox=x") else 200), url
        body = unpacked(response.get_data(as_text=True))
        assert leaks(body) == [], url
    runner = CliRunner()
    for args in (
        ["query", "--data", str(secret_dataset)],
        ["query", "--data", str(secret_dataset), "--format", "csv"],
        ["validate", str(secret_dataset)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
        assert "home" in result.output or "valid" in result.output, args
        assert leaks(result.output) == [], args
    out = tmp_path / "map.html"
    result = runner.invoke(cli, ["export", "--data", str(secret_dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert leaks(unpacked(out.read_text())) == []
    assert leaks(caplog.text) == []


def test_the_probes_see_the_coarse_location(secret_dataset):
    """The outputs searched above really carry the event, at its coarse grid cell."""
    client = create_app({"TESTING": True, "DATA_PATH": str(secret_dataset)}).test_client()
    for url in ("/download.geojson", "/ogc/collections/events/items/home", "/download.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "76.925" in response.get_data(as_text=True), url


def test_large_exports_are_checked_unpacked_too(secret_dataset, monkeypatch):
    from almaty_map.geodata.dataset import load_dataset
    from almaty_map.maprender import packing

    monkeypatch.setattr(packing, "PACK_OVER_BYTES", 10)
    page = export_page(load_dataset(secret_dataset), MapSpec()).decode()
    assert "deflate-base64" in page
    assert leaks(page) == [] and leaks(unpacked(page)) == []
    assert "76.925" in unpacked(page)  # the coarse cell centre is what is shown


def test_validation_errors_withhold_the_location(secret_dataset):
    events = secret_dataset / "events.geojson"
    events.write_text(
        events.read_text().replace(
            '"category": "protest", "start": "2022-01-05',
            '"category": "riot", "start": "2022-01-05',
        )
    )
    text = events.read_text().replace(f"[{HOME[0]}, {HOME[1]}]", f"[{HOME[1]}, {HOME[0]}]")
    events.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(secret_dataset), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert any("swapped" in p["message"] for p in report["problems"])
    assert leaks(result.output) == []
