"""Property tests: no query string, however odd, gets a 500 from the API or the pages.

Hypothesis builds query strings from the real parameter names and from values that are
numbers, near-misses of the valid syntax, unicode, markup and very long strings. The API
must answer 200 or 400, and a 400 must name a parameter that was sent; the pages must
answer 200 or 400 and never show a sent value unescaped.
"""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import box, shape

from almaty_map.ogcapi.params import ITEMS_PARAMS

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Surrogates cannot be sent in a URL at all; everything else can.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=500, max_size=20_000)
MARKUP = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "{{7*7}}",
    '=HYPERLINK("http://x")',
)
markup = st.sampled_from(MARKUP)
number = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
date = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "+06:00"),
    st.just(".."),
    st.just(""),
    text,
)
interval = st.tuples(date, date).map("/".join)
bbox = st.lists(number, min_size=0, max_size=7).map(",".join)
value = st.one_of(text, long_text, markup, number, date, interval, bbox)
name = st.one_of(st.sampled_from(ITEMS_PARAMS), st.sampled_from(ITEMS_PARAMS), text)
queries = st.lists(st.tuples(name, value), max_size=5)

PAGE_PARAMS = ("start", "end", "category", "bbox", "q", "slice", "lang", "title", "mode")
page_queries = st.lists(st.tuples(st.one_of(st.sampled_from(PAGE_PARAMS), text), value), max_size=5)


def echoed_markup(pairs: list[tuple[str, str]], body: str) -> list[str]:
    """Sent values with markup that appear unescaped in an HTML body (a random value is long
    enough not to occur in the page by chance)."""
    risky = [v for _, v in pairs if "<" in v and (v in MARKUP or len(v) >= 12)]
    return [v for v in risky if v in body]


def is_sent(pairs: list[tuple[str, str]], parameter: str) -> bool:
    return any(key[:40] == parameter for key, _ in pairs)


@SETTINGS
@given(pairs=queries)
@example(pairs=[("limit", "1" + "0" * 40)])
@example(pairs=[("offset", "-1")])
@example(pairs=[("datetime", "2022-01-07/2022-01-05")])
@example(pairs=[("bbox", "76.8,43.2,77.0")])
@example(pairs=[("bbox", "nan,43.2,77.0,43.3")])
@example(pairs=[("q", "é" * 5000)])
@example(pairs=[("\u202e", "x")])
def test_items_never_fail_and_name_the_bad_parameter(app, pairs):
    response = app.test_client().get(f"/ogc/collections/events/items?{urlencode(pairs)}")
    assert response.status_code in (200, 400), response.data[:300]
    if response.status_code == 400:
        doc = orjson.loads(response.data)
        assert doc["code"] == "InvalidParameterValue"
        assert is_sent(pairs, doc["parameter"]), (doc, pairs)
        assert f"'{doc['parameter']}'" in doc["description"]


@SETTINGS
@given(pairs=queries, collection=st.sampled_from(["events", "places"]))
def test_html_and_csv_views_never_fail_or_echo_markup(app, pairs, collection):
    for fmt in ("html", "csv"):
        query = urlencode([*pairs, ("f", fmt)])
        response = app.test_client().get(f"/ogc/collections/{collection}/items?{query}")
        assert response.status_code in (200, 400)
        if response.mimetype == "text/html":
            assert not echoed_markup(pairs, response.get_data(as_text=True))


near_almaty_x = st.one_of(st.floats(76.8, 77.1), st.floats(-180, 180))
near_almaty_y = st.one_of(st.floats(43.1, 43.4), st.floats(-90, 90))


@pytest.fixture(scope="module")
def every_event(app):
    response = app.test_client().get("/ogc/collections/events/items?limit=10000")
    return {f["id"]: shape(f["geometry"]) for f in orjson.loads(response.data)["features"]}


@SETTINGS
@given(x1=near_almaty_x, x2=near_almaty_x, y1=near_almaty_y, y2=near_almaty_y)
def test_any_valid_bbox_matches_a_shapely_check_even_across_the_antimeridian(
    app, every_event, x1, x2, y1, y2
):
    """minx > maxx is a box across the antimeridian (OGC API - Features), not an error."""
    south, north = sorted((y1, y2))
    query = urlencode({"bbox": f"{x1},{south},{x2},{north}", "limit": 10000})
    response = app.test_client().get(f"/ogc/collections/events/items?{query}")
    assert response.status_code == 200
    if x1 <= x2:
        area = box(x1, south, x2, north)
    else:
        area = box(x1, south, 180, north).union(box(-180, south, x2, north))
    expected = {id_ for id_, geometry in every_event.items() if geometry.intersects(area)}
    assert {f["id"] for f in orjson.loads(response.data)["features"]} == expected


@SETTINGS
@given(pairs=page_queries, path=st.sampled_from(["/", "/map", "/download.csv", "/export"]))
@example(pairs=[("title", "<img src=x onerror=alert(1)>")], path="/export")
@example(pairs=[("q", "</script><script>alert(1)</script>")], path="/")
@example(pairs=[("start", "2022-01-07"), ("end", "2022-01-05")], path="/")
def test_pages_never_fail_or_echo_markup(app, pairs, path):
    response = app.test_client().get(f"{path}?{urlencode(pairs)}")
    assert response.status_code in (200, 400), response.data[:300]
    if response.mimetype != "text/html":
        return
    assert not echoed_markup(pairs, response.get_data(as_text=True))


@pytest.mark.parametrize("kind", ["geojson", "csv"])
@given(title=st.one_of(text, markup, st.just("../../etc/passwd"), st.just("a\r\nSet-Cookie: x=1")))
@SETTINGS
def test_download_filename_cannot_be_steered(app, kind, title):
    response = app.test_client().get(f"/download.{kind}?{urlencode({'title': title})}")
    disposition = response.headers.get("Content-Disposition", "")
    if response.status_code == 200:
        name = disposition.split('filename="', 1)[1].rstrip('"')
        assert name.endswith(f".{kind}")
        assert not set(name) & set('/\\"\r\n\0') and ".." not in name
    assert "Set-Cookie" not in response.headers
