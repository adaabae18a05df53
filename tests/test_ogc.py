"""OGC API - Features through the Flask test client: every route, every documented error."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import orjson
import pytest

from almaty_map.geodata.bundled import BUNDLED

# Every test here runs on files and on the team database (tests/conftest.py).
pytestmark = pytest.mark.both_backends
BASE = "http://localhost/ogc"
PATHS = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/events",
    "/ogc/collections/events/items",
    "/ogc/collections/places/items",
    "/ogc/collections/events/items/2022-01-06-csto-arrives",
    "/ogc/openapi",
]


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return orjson.loads(response.data)


@pytest.mark.parametrize("path", PATHS)
def test_every_path_answers_with_and_without_a_trailing_slash(client, path):
    for variant in (path, path + "/"):
        response = client.get(variant)
        assert response.status_code == 200, variant
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_landing_page_links(client):
    doc = get_json(client, "/ogc/")
    rels = {link["rel"]: link for link in doc["links"]}
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["service-desc"]["href"] == f"{BASE}/openapi?f=json"
    assert {"self", "alternate", "service-doc", "conformance", "data"} <= set(rels)
    assert doc["title"] == "Almaty, January 2022"


def test_conformance(client):
    doc = get_json(client, "/ogc/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in doc["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in doc["conformsTo"]


def test_collections_describe_extent_and_items(client):
    doc = get_json(client, "/ogc/collections")
    events = next(c for c in doc["collections"] if c["id"] == "events")
    assert events["extent"]["temporal"]["interval"] == [
        ["2022-01-04T12:00:00Z", "2022-06-07T18:00:00Z"]
    ]
    bbox = events["extent"]["spatial"]["bbox"][0]
    assert 76.9 < bbox[0] < bbox[2] < 77.1
    assert any(
        link["rel"] == "items" and link["type"] == "application/geo+json"
        for link in events["links"]
    )


def test_items_page_with_links_and_counts(client):
    doc = get_json(client, "/ogc/collections/events/items?limit=5&offset=5")
    assert doc["type"] == "FeatureCollection"
    assert (doc["numberMatched"], doc["numberReturned"]) == (19, 5)
    assert doc["timeStamp"].endswith("Z")
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert "offset=10" in rels["next"] and "limit=5" in rels["next"]
    assert "offset=0" in rels["prev"]
    last = get_json(client, "/ogc/collections/events/items?limit=5&offset=15")
    assert last["numberReturned"] == 4
    assert "next" not in {link["rel"] for link in last["links"]}


def test_paging_keeps_the_filters(client):
    doc = get_json(client, "/ogc/collections/events/items?category=custody&limit=2")
    next_href = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    assert "category=custody" in next_href
    second = get_json(client, next_href.replace("http://localhost", ""))
    assert all(f["properties"]["category"] == "custody" for f in second["features"])


def brute_force(lo=None, hi=None, bbox=None, categories=None, text=None):
    """An independent count from the raw file, in plain Python: an event [start, end) (an
    instant when there is no end) is kept when it overlaps [lo, hi)."""
    features = json.loads((BUNDLED / "events.geojson").read_text())["features"]
    count = 0
    for feature in features:
        p = feature["properties"]
        start = dt.datetime.fromisoformat(p["start"])
        end = dt.datetime.fromisoformat(p["end"]) if p.get("end") else start
        end = max(end, start + dt.timedelta(microseconds=1))
        if (lo and not end > lo) or (hi and not start < hi):
            continue
        if categories and p["category"] not in categories:
            continue
        if (
            text
            and text.casefold()
            not in "\n".join([p["title"], p["description"], p["place"], *p["actors"]]).casefold()
        ):
            continue
        if bbox:
            coords = feature["geometry"]["coordinates"]
            points = [coords] if feature["geometry"]["type"] == "Point" else coords[0]
            xs, ys = [c[0] for c in points], [c[1] for c in points]
            if max(xs) < bbox[0] or min(xs) > bbox[2] or max(ys) < bbox[1] or min(ys) > bbox[3]:
                continue
        count += 1
    return count


ALMATY = dt.timezone(dt.timedelta(hours=6))


def day(d):
    return dt.datetime(2022, d[0], d[1], tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("datetime=2022-01-06", brute_force(day((1, 6)), day((1, 7)))),
        (
            "datetime=2022-01-06T18:00:00%2B06:00",
            brute_force(
                day((1, 6)) + dt.timedelta(hours=18),
                day((1, 6)) + dt.timedelta(hours=18, microseconds=1),
            ),
        ),
        ("datetime=2022-01-09/..", brute_force(day((1, 9)))),
        ("datetime=../2022-01-04", brute_force(None, day((1, 5)))),
        ("datetime=2022-06-01/2022-06-30", brute_force(day((6, 1)), day((7, 1)))),
        ("bbox=76.94,43.23,76.95,43.24", brute_force(bbox=(76.94, 43.23, 76.95, 43.24))),
        (
            "bbox=76.94,43.23,76.95,43.24&datetime=2022-01-06",
            brute_force(day((1, 6)), day((1, 7)), bbox=(76.94, 43.23, 76.95, 43.24)),
        ),
        ("category=lethal-force,custody", brute_force(categories={"lethal-force", "custody"})),
        (
            "category=lethal-force&category=custody",
            brute_force(categories={"lethal-force", "custody"}),
        ),
        ("q=hospital", brute_force(text="hospital")),
        ("q=HOSPITAL&category=custody", brute_force(text="hospital", categories={"custody"})),
    ],
)
def test_items_filters_agree_with_a_brute_force_count(client, query, expected):
    assert expected > 0
    doc = get_json(client, f"/ogc/collections/events/items?{query}")
    assert doc["numberMatched"] == expected, [f["id"] for f in doc["features"]]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=ten", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,50,3,40", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2022-01-07/2022-01-05", "datetime"),
        ("datetime=2022-01-06T18:00:00", "datetime"),
        ("datetime=a/b/c", "datetime"),
        ("category=riot", "category"),
        ("q=" + "x" * 201, "q"),
        ("f=xml", "f"),
        ("crs=EPSG:9999", "crs"),
        ("bbox=1,2,3,4&bbox-crs=EPSG:2000", "bbox-crs"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_get_400_naming_them(client, query, parameter):
    doc = get_json(client, f"/ogc/collections/events/items?{query}", status=400)
    assert doc["code"] == "InvalidParameterValue"
    assert doc["parameter"] == parameter
    assert "expected" in doc


def test_every_bad_parameter_is_listed_and_the_first_is_described(client):
    doc = get_json(
        client,
        "/ogc/collections/events/items?limit=0&bbox=200,95,10,10&datetime=never/2022-01-05"
        "&category=riot&colour=red",
        status=400,
    )
    problems = [(p["parameter"], p["message"]) for p in doc["problems"]]
    assert [name for name, _ in problems] == [
        "colour",
        "datetime",
        "category",
        "bbox",
        "bbox",
        "limit",
    ]
    assert doc["parameter"] == "colour" and doc["description"].startswith("parameter 'colour'")
    assert doc["expected"] == doc["problems"][0]["expected"]
    assert "for the interval's start" in problems[1][1]
    assert "expected one of protest, unrest, lethal-force" in problems[2][1]
    assert "latitude 95 (min_lat) is out of range [-90, 90]" in problems[4][1]
    assert all({"parameter", "expected", "found", "message"} == set(p) for p in doc["problems"])


def test_an_out_of_range_longitude_is_named(client):
    doc = get_json(client, "/ogc/collections/events/items?bbox=200,0,10,10", status=400)
    assert doc["parameter"] == "bbox"
    assert doc["description"] == (
        "parameter 'bbox': longitude 200 (min_lon) is out of range [-180, 180]"
    )
    assert doc["expected"] == "a longitude in [-180, 180]"


def test_api_errors_in_html_list_every_problem_escaped(client):
    response = client.get("/ogc/collections/events/items?f=html&limit=<b>&offset=x")
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<strong>limit</strong>: expected an integer from 1 to 10000" in page
    assert "<strong>offset</strong>" in page and "<b>" not in page


def test_places_share_the_antimeridian_rule(client):
    every = get_json(client, "/ogc/collections/places/items")["numberMatched"]
    assert every > 0
    across = "/ogc/collections/places/items?bbox="
    assert get_json(client, across + "170,-90,10,90")["numberMatched"] == 0
    assert get_json(client, across + "60,-90,-170,90")["numberMatched"] == every


def test_unknown_collection_and_feature_are_404(client):
    assert get_json(client, "/ogc/collections/nope", 404)["code"] == "NotFound"
    assert get_json(client, "/ogc/collections/nope/items", 404)["code"] == "NotFound"
    doc = get_json(client, "/ogc/collections/events/items/nope", 404)
    assert "no feature with id 'nope'" in doc["description"]


def test_single_feature_has_links_and_content_crs(client):
    response = client.get("/ogc/collections/events/items/2022-01-05-akimat-stormed")
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Crs"] == ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
    feature = orjson.loads(response.data)
    assert feature["properties"]["place_id"] == "almaty_akimat"
    assert {link["rel"] for link in feature["links"]} >= {"self", "collection"}


def test_formats_by_parameter_and_accept_header(client):
    html = client.get("/ogc/collections/events/items?limit=3&f=html")
    assert html.mimetype == "text/html" and "19 matching events" in html.get_data(as_text=True)
    browser = client.get("/ogc/collections", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    machine = client.get("/ogc/collections", headers={"Accept": "application/json"})
    assert machine.mimetype == "application/json"
    table = client.get("/ogc/collections/events/items?f=csv&category=memory")
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert [r["category"] for r in rows] == ["memory", "memory"]
    accepted = client.get("/ogc/collections/places/items", headers={"Accept": "text/csv"})
    assert accepted.mimetype == "text/csv"


def test_places_collection(client):
    doc = get_json(client, "/ogc/collections/places/items?q=akimat")
    assert [f["id"] for f in doc["features"]] == ["almaty_akimat"]
    assert (
        get_json(client, "/ogc/collections/places/items?datetime=2022-01-06")["numberMatched"] == 0
    )
    assert (
        get_json(client, "/ogc/collections/places/items?category=protest", 400)["parameter"]
        == "category"
    )


def test_openapi_documents_every_parameter(client):
    doc = get_json(client, "/ogc/openapi")
    assert doc["openapi"].startswith("3.0")
    items = doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    names = {p["name"] for p in items}
    assert {"bbox", "datetime", "limit", "offset", "category", "q", "f"} <= names
    limit = next(p for p in items if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10000 and limit["schema"]["default"] == 100
    page = client.get("/ogc/openapi?f=html").get_data(as_text=True)
    assert "/collections/{collectionId}/items" in page and "datetime" in page


def test_html_views_escape_data(client):
    page = client.get("/ogc/collections/events/items/2022-01-06-csto-arrives?f=html")
    text = page.get_data(as_text=True)
    assert "CSTO paratroopers arrive" in text and "<script>alert" not in text


def test_etag_and_conditional_get(client):
    first = client.get("/ogc/conformance")
    etag = first.headers["ETag"]
    again = client.get("/ogc/conformance", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_large_responses_are_gzipped(client):
    response = client.get("/ogc/collections/events/items", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
