"""The reader's page, /map, /export and the downloads, through the Flask test client."""

from __future__ import annotations

import re

import orjson
import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli

# Every test here runs on files and on the team database (tests/conftest.py).
pytestmark = pytest.mark.both_backends


def test_index_lists_the_bundled_events(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Almaty, January 2022</h1>" in page
    assert page.count('class="event"') == 19
    assert "6 January 2022, evening" in page
    assert 'id="almaty-map-data"' in page


def test_filters_come_from_the_query_string(client):
    page = client.get("/?start=2022-01-09&end=2022-01-09").get_data(as_text=True)
    assert "emergency hospital" in page
    assert "Independence Monument" not in page.split('id="event-list"')[1].split("</ol>")[0]
    assert 'value="2022-01-09"' in page


def test_bad_filter_value_is_named_and_escaped(client):
    response = client.get("/?start=<script>alert(1)</script>&category=riot")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "start</strong>: expected a date" in page
    assert "category</strong>: expected one of" in page
    assert "<script>alert(1)" not in page
    assert page.count('class="event"') == 19  # the rest of the view still works


def test_every_bad_value_is_named_and_the_good_ones_still_apply(client):
    response = client.get(
        "/?start=2022-01-07&end=someday&category=riot&category=lethal-force"
        "&bbox=200,0,10,10&slice=year"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = page.split('class="errors"')[1].split("</div>")[0]
    for name in ("end", "category", "bbox", "slice"):
        assert f"<strong>{name}</strong>:" in errors
    assert "longitude 200 (min_lon) is out of range [-180, 180]" in errors
    assert "start</strong>" not in errors
    # From 7 January, lethal force only: the good start and category still filter the list.
    listed = page.split('id="event-list"')[1].split("</ol>")[0]
    assert listed.count('class="event"') == 2
    assert "Aykorkem Meldekhan" in listed and "Independence Monument" not in listed
    assert 'value="2022-01-07"' in page
    # The view's links carry the good values only, so they open without an error.
    assert 'href="/download.csv?start=2022-01-07&amp;category=lethal-force"' in page


def test_bad_values_on_a_download_are_listed_together(client):
    response = client.get("/download.csv?start=never&bbox=1,2&q=" + "x" * 201)
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for name in ("start", "bbox", "q"):
        assert f"<strong>{name}</strong>: expected" in page
    asked = client.get("/download.csv?start=never&bbox=1,2", headers={"Accept": "application/json"})
    assert asked.status_code == 400 and asked.mimetype == "application/json"
    body = orjson.loads(asked.data)
    assert body["code"] == "InvalidParameterValue" and body["parameter"] == "start"
    assert [p["parameter"] for p in body["problems"]] == ["start", "bbox"]


def test_download_links_share_the_view(client):
    page = client.get("/?start=2022-01-06&end=2022-01-07&category=lethal-force").get_data(
        as_text=True
    )
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page))
    by_label = {label: href.replace("&amp;", "&") for href, label in links.items()}
    assert by_label["GeoJSON"] == (
        "/download.geojson?start=2022-01-06&end=2022-01-07&category=lethal-force"
    )
    assert by_label["The API query for this view"] == (
        "http://localhost/ogc/collections/events/items?datetime=2022-01-06%2F2022-01-07"
        "&category=lethal-force"
    )
    api = orjson.loads(client.get(by_label["The API query for this view"]).data)
    download = orjson.loads(client.get(by_label["GeoJSON"]).data)
    assert [f["id"] for f in api["features"]] == [f["id"] for f in download["features"]]
    assert len(download["features"]) == 3


def test_reader_page_csp_allows_only_its_own_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert re.search(r"script-src 'self' 'sha256-[^']+'", policy)
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_map_alone_is_embeddable_from_configured_origins():
    from almaty_map.app import create_app

    app = create_app({"TESTING": True, "FRAME_ANCESTORS": "https://news.example.org"})
    response = app.test_client().get("/map?start=2022-01-06")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://news.example.org" in policy
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert '<script src="/assets/leaflet.js?v=' in page
    # The same origins may drive it with postMessage; the reader's page and exports name none.
    assert '"embedOrigins": ["https://news.example.org"]' in page
    assert '"embedOrigins": []' in app.test_client().get("/").get_data(as_text=True)


def test_a_frame_ancestor_that_is_no_origin_stops_start_up():
    from almaty_map.app import create_app
    from almaty_map.maprender.origins import OriginError

    with pytest.raises(OriginError, match=r"ALMATY_MAP_FRAME_ANCESTORS: .*'https://x\.org/page'"):
        create_app({"TESTING": True, "FRAME_ANCESTORS": "https://ok.org https://x.org/page"})


def test_export_is_byte_identical_to_the_cli(client, tmp_path):
    query = "start=2022-01-05&end=2022-01-08&category=lethal-force&slice=day"
    response = client.get(f"/export?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="almaty-january-2022_2022-01-05_2022-01-08.html"'
    )
    out = tmp_path / "cli.html"
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "--out",
            str(out),
            "--start",
            "2022-01-05",
            "--end",
            "2022-01-08",
            "--category",
            "lethal-force",
            "--slice",
            "day",
        ],
    )
    assert result.exit_code == 0, result.output
    assert response.data == out.read_bytes()


def test_csv_download(client):
    response = client.get("/download.csv?category=memory")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.get_data(as_text=True).count("\n") == 3


@pytest.mark.parametrize(
    "url",
    [
        "/map?slice=year",
        "/export?start=never",
        "/download.geojson?bbox=1,2",
        "/download.csv?lang=xx",
    ],
)
def test_bad_values_on_other_pages_are_400_with_the_reason(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "expected" in response.get_data(as_text=True)


def test_assets_are_served_with_long_caching(client):
    response = client.get("/assets/almaty-app.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/assets/../app.py").status_code == 404
    assert client.get("/assets/nope.js").status_code == 404


def test_unknown_page_is_a_real_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)
    assert client.get("/download.exe").status_code == 404


def test_map_pages_are_cached_with_etags(client):
    first = client.get("/map?start=2022-01-06")
    again = client.get("/map?start=2022-01-06", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_rendered_maps_are_cached_per_dataset_and_view(monkeypatch):
    from almaty_map.app import create_app
    from almaty_map.web import maps

    calls = []
    real = maps.build_map
    monkeypatch.setattr(maps, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = create_app({"TESTING": True}).test_client()
    for _ in range(3):
        assert client.get("/map?start=2022-01-07").status_code == 200
    assert len(calls) == 1
    client.get("/map?start=2022-01-08")
    assert len(calls) == 2


def test_the_page_gives_the_national_toll_and_the_corrections(client):
    page = client.get("/").get_data(as_text=True)
    figures = page.split('class="figures"')[1].split("</ul>")[0]
    assert "Deaths in the unrest: about 250 (across Kazakhstan)" in figures
    assert "at least 238 (across Kazakhstan)" in figures
    corrections = page.split('class="corrections"')[1].split("</ul>")[0]
    assert corrections.count("<li>") == 15
    assert "30 November 2026" in corrections
    listed = page.split('id="event-list"')[1].split("</ol>")[0]
    assert "Deaths: at least 6 (in police custody; the report does not say where)" in listed


def test_the_api_carries_the_dataset_version(client):
    assert client.get("/ogc/collections/events").get_json()["version"] == "1.1.0"
    assert client.get("/ogc").get_json()["version"] == "1.1.0"


def test_the_date_fields_follow_the_page_language(client):
    """Text fields, not the browser's date picker (whose format follows the browser's
    language): the chosen date is worded, and the format named, in the page's language."""
    page = client.get("/?lang=ru&start=2022-01-05").get_data(as_text=True)
    start = re.search(r'<input id="start"[^>]*>', page).group(0)
    assert 'type="text"' in start and 'value="2022-01-05"' in start
    assert 'aria-describedby="start-hint"' in start
    assert '<p class="field-hint" id="start-hint">5 января 2022\u202fг.</p>' in page
    assert (
        '<p class="field-hint" id="end-hint">Дата в виде ГГГГ-ММ-ДД, например 2022-01-06</p>'
        in page
    )
    kazakh = client.get("/?lang=kk").get_data(as_text=True)
    assert "Күні ЖЖЖЖ-АА-КК түрінде" in kazakh
    assert 'type="date"' not in page + kazakh


@pytest.mark.parametrize("path", ["/", "/ogc?f=html", "/nowhere", "/map"])
def test_every_page_links_the_icon(client, path):
    page = client.get(path).get_data(as_text=True)
    assert re.search(
        r'<link rel="icon" type="image/svg\+xml" href="(/favicon\.\w+|data:image/svg)', page
    )


def test_the_icon_is_served_where_clients_look_for_it(client):
    for path in ("/favicon.ico", "/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.data.startswith(b"<svg") and b"</svg>" in response.data
