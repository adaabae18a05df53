"""Free text never multiplies renders: a map is rendered once per view, and the title (from
?title= or --title) is put in afterwards, giving the bytes a full render with it gives."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.maprender import build
from almaty_map.maprender.build import MapSpec, build_map, export_page
from almaty_map.maprender.document import render_page, render_parts
from almaty_map.web import maps
from almaty_map.web.maps import READER_CHROME

TITLES = [
    None,
    "",
    "Plain",
    "</title><script>alert(1)</script> & \"quotes\" 'single'",
    "{{ 7*7 }} {% if true %}x{% endif %}",
    "Алматы, қаңтар 2022 \u2028 line\u2029sep \\ backslash \x01 control",
    '"dataset":{"title":"almaty-map-title-0000"',
    "x" * 200,
]


@pytest.mark.parametrize("title", TITLES)
def test_a_title_put_in_gives_the_bytes_of_a_render_with_it(bundled, title):
    spec = MapSpec(title=title, slice_by="day")
    direct = render_page(build_map(bundled, spec))
    assert export_page(bundled, spec) == direct
    if title:
        assert b"<script>alert(1)" not in direct


@pytest.mark.parametrize("title", TITLES[2:5])
def test_served_pages_carry_the_title_as_a_render_with_it_would(bundled, title):
    client = create_app({"TESTING": True}).test_client()
    query = {"title": title, "slice": "day"}
    spec = MapSpec(title=title, slice_by="day")
    embed = client.get("/map", query_string=query)
    assert embed.status_code == 200
    assert embed.data == render_page(build_map(bundled, spec, asset_base="/assets"))
    page = client.get("/", query_string=query).get_data(as_text=True)
    body = render_parts(build_map(bundled, spec, asset_base="/assets", chrome=READER_CHROME)).body
    assert body in page


def test_many_titles_cost_one_render(monkeypatch):
    calls = []
    real = build.build_map
    for module in (maps, build):
        monkeypatch.setattr(module, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = create_app({"TESTING": True}).test_client()
    for n in range(12):
        for path in ("/export", "/map", "/"):
            response = client.get(path, query_string={"title": f"random {n}", "slice": "day"})
            assert response.status_code == 200
            assert f"random {n}" in response.get_data(as_text=True)
    assert len(calls) == 3  # one each for /export, /map and the reader's page


def test_exports_with_titles_are_the_same_from_the_cli_and_the_server(tmp_path):
    title = 'Mothers\' "testimonies" <1/2> & {{ x }}'
    response = (
        create_app({"TESTING": True})
        .test_client()
        .get("/export", query_string={"title": title, "start": "2022-01-05", "slice": "day"})
    )
    out = tmp_path / "cli.html"
    result = CliRunner().invoke(
        cli,
        ["export", "--out", str(out), "--title", title, "--start", "2022-01-05", "--slice", "day"],
    )
    assert result.exit_code == 0, result.output
    assert response.data == out.read_bytes()
    assert re.search(r"<title>Mothers&#39; &#34;testimonies&#34; &lt;1/2&gt; &amp;", response.text)


def test_filters_that_find_the_same_events_share_one_render(monkeypatch, bundled):
    calls = []
    real = build.build_map
    for module in (maps, build):
        monkeypatch.setattr(module, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = create_app({"TESTING": True}).test_client()
    boxes = ["76.5,42.9,77.5,43.9", "76.50001,42.9,77.5,43.9", "76.4,42.8,77.6,44.0"]
    pages = [client.get(f"/export?bbox={box}&slice=day").data for box in boxes]
    texts = [client.get(f"/map?q={q}&slice=day").data for q in ("a", "A", "a ")]
    assert len(set(pages)) == 1 and len(set(texts)) == 1
    assert len(calls) == 2
    everything = export_page(bundled, MapSpec(slice_by="day"))
    assert pages[0] == everything  # the box holds every event: the map of them all
