"""The standalone export: self-contained, byte-identical, written atomically."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from almaty_map.cli.outfile import OutputError, write_output
from almaty_map.geodata.dataset import load_dataset
from almaty_map.maprender.build import export_page
from tests.conftest import DATA

ROOT = Path(__file__).parents[1]


def run_export(*args):
    return CliRunner().invoke(cli, ["export", *args], catch_exceptions=False)


def test_exporting_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for out in (first, second):
        result = run_export("--out", str(out), "--slice", "day", "--start", "2022-01-05")
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes()) > 100_000


def test_the_page_loads_nothing_from_any_host(bundled):
    page = export_page(bundled).decode()
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"url\((?!data:)['\"]?[a-z]+:", page)
    assert "@import" not in page


def test_every_url_in_the_page_is_a_tile_attribution_or_source(bundled):
    page = export_page(bundled).decode()
    data_urls = set()
    for name in ("events.geojson", "places.geojson"):
        data_urls |= set(
            re.findall(r"https?://[^\s\"'<>]+", (bundled.folder / name).read_text(encoding="utf-8"))
        )
    allowed_prefixes = (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",  # tile template
        "https://www.openstreetmap.org/copyright",  # attribution
        "https://leafletjs.com",  # the library's own credit link and banner
        "http://www.w3.org/2000/svg",  # an XML namespace inside Leaflet, not a request
        "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",  # a comment in Leaflet
    )
    for url in set(re.findall(r"https?://[^\s\"'<>\\)]+", page)):
        ok = url.startswith(allowed_prefixes) or any(
            url in known or known.startswith(url) for known in data_urls
        )
        assert ok, url


def test_licences_travel_with_the_export(bundled):
    page = export_page(bundled).decode()
    assert "BSD 2-Clause License" in page and "Vladimir Agafonkin" in page
    assert "almaty-map map code: MIT License" in page


def test_labels_reach_the_layer_control_escaped(make_dataset):
    toml = (
        (DATA / "base" / "dataset.toml")
        .read_text()
        .replace('label = "Before"', 'label = "<b onmouseover=alert(1)>Before</b>"')
    )
    page = export_page(load_dataset(make_dataset(toml=toml))).decode()
    assert "<b onmouseover" not in page
    # Escaped for HTML (Leaflet writes layer names as HTML), then for JavaScript.
    assert "\\u0026lt;b onmouseover=alert(1)\\u0026gt;Before" in page


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    out = tmp_path / "map.html"
    out.write_text("old map")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OutputError, match="No space left"):
        write_output(b"<html>new</html>", out)
    assert out.read_text() == "old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_export_help_is_usable():
    result = run_export("--help")
    assert result.exit_code == 0
    for option in ("--out", "--data", "--start", "--end", "--category", "--slice", "--title"):
        assert option in result.output


def test_template_syntax_in_the_data_is_never_run(make_dataset):
    """Branca re-renders macro output as Jinja; data must never be treated as a template."""
    events = (
        (DATA / "base" / "events.geojson")
        .read_text()
        .replace('"Rally through the night"', '"X{{ 7*7 }}Y {% if true %}Z{% endif %}"')
    )
    toml = (
        (DATA / "base" / "dataset.toml")
        .read_text()
        .replace('label = "Before"', 'label = "P{{ 6*7 }}Q"')
    )
    page = export_page(load_dataset(make_dataset(events=events, toml=toml))).decode()
    assert "X{{ 7*7 }}Y {% if true %}Z{% endif %}" in page
    assert "P{{ 6*7 }}Q" in page
    assert "X49Y" not in page and "P42Q" not in page
