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
from almaty_map.maprender.build import MapSpec, export_page
from almaty_map.maprender.document import script_hashes, style_hashes
from tests.conftest import DATA

# Every test here runs on files and on the team database (tests/conftest.py).
pytestmark = pytest.mark.both_backends

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
    assert not re.search(r'<link[^>]+href="(?!data:)', page)
    assert re.search(
        r'<link rel="icon" type="image/svg\+xml" href="data:image/svg\+xml;base64,', page
    )
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
        "https://tile.openstreetmap.org;",  # the tile host, in the page's own policy
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


def policy_of(page: str) -> dict[str, list[str]]:
    """The export's own Content-Security-Policy, directive by directive."""
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert len(found) == 1, "one policy, in the head"
    assert page.index(found[0]) < page.index("<script"), "the policy comes before any script"
    return {d.split()[0]: d.split()[1:] for d in found[0].split("; ")}


def test_the_export_allows_exactly_its_own_inline_code_and_tiles(bundled):
    page = export_page(bundled)
    policy = policy_of(page.decode())
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == script_hashes(page)
    assert policy["style-src"] == style_hashes(page)
    # Every inline script and style is one of ours (nothing else would be allowed).
    assert len(policy["script-src"]) == page.count(b"<script>")
    assert len(policy["style-src"]) == page.count(b"<style>")
    assert policy["img-src"] == ["data:", "https://tile.openstreetmap.org"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert set(policy) == {
        "default-src",
        "script-src",
        "style-src",
        "img-src",
        "base-uri",
        "form-action",
    }
    text = page.decode()
    assert "'unsafe-inline'" not in text and "'self'" not in policy_of(text)["script-src"]


def test_a_carto_key_adds_carto_tiles_to_the_policy(bundled):
    page = export_page(bundled, MapSpec(carto_key="k")).decode()
    assert policy_of(page)["img-src"] == [
        "data:",
        "https://*.basemaps.cartocdn.com",
        "https://tile.openstreetmap.org",
    ]


def test_licences_travel_with_the_export(bundled):
    page = export_page(bundled).decode()
    assert "BSD 2-Clause License" in page and "Vladimir Agafonkin" in page
    assert "almaty-map map code: MIT License" in page


def test_labels_reach_the_page_only_as_escaped_data(make_dataset):
    toml = (
        (DATA / "base" / "dataset.toml")
        .read_text()
        .replace('label = "Before"', 'label = "<b onmouseover=alert(1)>Before</b>"')
    )
    page = export_page(load_dataset(make_dataset(toml=toml))).decode()
    assert "<b onmouseover" not in page
    # In the JSON data block, with < and > escaped; the map sets it as text.
    assert '"label":"\\u003cb onmouseover=alert(1)\\u003eBefore\\u003c/b\\u003e"' in page


def test_embed_origins_are_normalised_or_refused(tmp_path):
    out = tmp_path / "map.html"
    result = run_export(
        "--out",
        str(out),
        "--embed-origin",
        "HTTPS://News.Example.org:443/",
        "--embed-origin",
        "http://localhost:8080",
    )
    assert result.exit_code == 0, result.output
    assert '"embedOrigins": ["https://news.example.org", "http://localhost:8080"]' in (
        out.read_text()
    )
    for wrong in ("https://news.example.org/story", "ftp://example.org", "news.example.org"):
        result = CliRunner().invoke(cli, ["export", "--out", str(out), "--embed-origin", wrong])
        assert result.exit_code == 2 and "--embed-origin" in result.output, wrong
        assert f"got {wrong!r}" in result.output


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
