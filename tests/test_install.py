"""An installed copy works like the checkout: the wheel, in a new virtual environment,
serves the pages, the map, the API and exports from files inside the wheel alone."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from harness.serving import ROOT, free_port, wait_until_up
from tests.conftest import DATA

pytestmark = [pytest.mark.install, pytest.mark.server]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        env={**os.environ, "PIP_CONSTRAINT": str(ROOT / "constraints.txt")},
        capture_output=True,
        cwd=out,
    )
    return next(out.glob("almaty_map-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new venv with the wheel and its pinned dependencies; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(
        [*pip, "-c", str(ROOT / "constraints.txt"), str(wheel)],
        check=True,
        capture_output=True,
    )
    return home / "bin"


def test_the_wheel_installs_one_package_with_its_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"almaty_map", "-".join(wheel.name.split("-")[:2]) + ".dist-info"}
    for needed in (
        "almaty_map/templates/index.html",
        "almaty_map/templates/ogc/items.html",
        "almaty_map/web/static/site.css",
        "almaty_map/maprender/js/almaty-app.js",
        "almaty_map/maprender/css/almaty-map.css",
        "almaty_map/maprender/snapshot.html",
        "almaty_map/maprender/js/almaty-print.js",
        "almaty_map/maprender/css/almaty-snapshot.css",
        "almaty_map/language/locales/ru/LC_MESSAGES/messages.mo",
        "almaty_map/geodata/datasets/almaty-2022/events.geojson",
        "almaty_map/geodata/schema/events.schema.json",
        "almaty_map/database/migrations/env.py",
        "almaty_map/database/migrations/versions/0001_first_schema.py",
        "almaty_map/database/migrations/versions/0002_description_unindexed.py",
    ):
        assert needed in names, needed
    assert not any(name.startswith(("almaty_map/tests/", "almaty_map/bench/")) for name in names)


def test_the_installed_command_serves_everything(installed, tmp_path):
    """Run from an empty folder, so nothing can come from the checkout."""
    version = subprocess.run(
        [str(installed / "almaty-map"), "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert version.returncode == 0 and version.stdout.startswith("almaty-map 0.")
    port = free_port()
    server = subprocess.Popen(
        [str(installed / "almaty-map"), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        for path, needle in (
            ("/", b"Republic Square"),
            ("/?lang=ru", b'lang="ru"'),
            ("/map", b"AlmatyMapLib.start"),
            ("/ogc", b'"conformance"'),
            ("/ogc/collections/events/items?f=html", b"<table"),
            ("/export", b"almaty-map-data"),
            ("/static/site.css", b"{"),
        ):
            with urllib.request.urlopen(url + path, timeout=30) as response:
                assert response.status == 200, path
                assert needle in response.read(), path
    finally:
        server.terminate()
        server.wait(timeout=10)
    exported = tmp_path / "map.html"
    subprocess.run(
        [str(installed / "almaty-map"), "export", "--out", str(exported)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    assert exported.read_bytes().startswith(b"<!DOCTYPE html>")


@pytest.mark.db
def test_the_installed_command_creates_loads_and_upgrades_a_database(installed, database, tmp_path):
    """The migrations ship in the wheel: an installed almaty-map sets a database up alone."""
    command = str(installed / "almaty-map")
    for args in (
        ("db", "init"),
        ("db", "load", str(DATA / "base")),
        ("db", "upgrade"),
        ("validate",),
    ):
        result = subprocess.run(
            [command, *args, "--db", database], capture_output=True, text=True, cwd=tmp_path
        )
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "valid, 3 events" in result.stdout  # validate read the database
