"""OGC API - Features Part 3 through the Flask test client: queryables, filters in both
encodings, sortby, and the 400s a wrong filter gets."""

from __future__ import annotations

import json
from urllib.parse import quote

import jsonschema
import orjson
import pytest

ITEMS = "/ogc/collections/events/items"
# Every filter answers the same from files and from PostGIS (its indexable parts in SQL).
pytestmark = pytest.mark.both_backends


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return orjson.loads(response.data)


def ids(client, query: str) -> list[str]:
    return [f["id"] for f in get(client, f"{ITEMS}?limit=1000&{query}")["features"]]


def test_queryables_are_a_json_schema_of_every_filterable_field(client):
    response = client.get("/ogc/collections/events/queryables")
    assert response.mimetype == "application/schema+json"
    schema = orjson.loads(response.data)
    jsonschema.Draft202012Validator.check_schema(schema)
    properties = schema["properties"]
    assert properties["deaths_min"]["type"] == "integer"
    assert properties["publications"]["type"] == "string"
    assert properties["geometry"] == {
        "title": properties["geometry"]["title"],
        "format": "geometry-any",
    }
    assert "city" in properties["geo_precision"]["enum"]
    places = get(client, "/ogc/collections/places/queryables")["properties"]
    assert {"name", "kind", "geometry"} <= set(places) and "deaths_min" not in places
    links = get(client, "/ogc/collections/events")["links"]
    assert any(link["rel"].endswith("/queryables") for link in links)


def test_conformance_declares_part_3_and_cql2(client):
    declared = get(client, "/ogc/conformance")["conformsTo"]
    for name in ("queryables", "filter", "features-filter"):
        assert f"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/{name}" in declared
    for name in ("cql2-text", "cql2-json", "basic-cql2", "spatial-functions", "temporal-functions"):
        assert f"http://www.opengis.net/spec/cql2/1.0/conf/{name}" in declared


def test_the_researchers_questions(client):
    deaths = ids(client, "filter=" + quote("deaths_min >= 1 AND NOT geo_precision = 'city'"))
    assert deaths == ["2022-01-06-republic-square-shooting", "2022-01-07-aykorkem-killed"]
    rferl = (
        "publications LIKE '%RFE/RL%' AND "
        "T_INTERSECTS(interval, INTERVAL('2022-01-06', '2022-01-09'))"
    )
    assert len(ids(client, "filter=" + quote(rferl))) == 3
    near = "S_DWITHIN(geometry, POINT(76.9458 43.2380), 500, meters)"
    assert "2022-01-05-communications-cut" not in ids(client, "filter=" + quote(near))
    assert len(ids(client, "filter=" + quote(near))) == 5


def test_cql2_json_and_filter_crs(client):
    document = {
        "op": "s_intersects",
        "args": [{"property": "geometry"}, {"bbox": [657000, 4788000, 659000, 4790000]}],
    }
    utm = ids(
        client,
        f"filter={quote(json.dumps(document))}&filter-lang=cql2-json"
        "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/32643",
    )
    assert utm and utm == ids(client, "bbox-crs=EPSG:32643&bbox=657000,4788000,659000,4790000")


def test_sortby_orders_and_keeps_the_filter(client):
    found = get(client, f"{ITEMS}?sortby=-deaths_min,id&filter=" + quote("deaths_min IS NOT NULL"))
    deaths = [f["properties"]["fatalities"] for f in found["features"]]
    least = [d.get("count", d.get("min", 1)) for d in deaths]
    assert least == sorted(least, reverse=True) and found["numberMatched"] == len(deaths) > 1


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("filter=" + quote("title = "), "filter", ["column 9", "end of the filter"]),
        ("filter=" + quote("deaths_min >>> 3"), "filter", ["column 13"]),
        ("filter=" + quote("colour = 'red'"), "filter", ["'colour'", "deaths_min", "publications"]),
        ("filter=" + quote("title = 3"), "filter", ["'title' is text"]),
        ("filter=" + quote("S_DWITHIN(geometry, POINT(1 2), 5, furlongs)"), "filter", ["furlongs"]),
        # Not JSON numbers (Python's reader takes them): a distance of NaN kept nothing.
        (
            "filter-lang=cql2-json&filter="
            + quote(
                '{"op": "s_dwithin", "args": [{"property": "geometry"}, '
                '{"type": "Point", "coordinates": [76.9, 43.2]}, NaN, "meters"]}'
            ),
            "filter",
            ["NaN", "not a JSON number"],
        ),
        (
            "filter-lang=cql2-json&filter="
            + quote('{"op": ">", "args": [{"property": "deaths_min"}, -Infinity]}'),
            "filter",
            ["-Infinity"],
        ),
        (
            "filter=" + quote("S_DWITHIN(geometry, POINT(76.9 43.2), 1e400, meters)"),
            "filter",
            ["finite", "inf"],
        ),
        (
            "filter=" + quote("S_DWITHIN(geometry, POINT(76.9 43.2), 1e306, kilometers)"),
            "filter",
            ["finite", "1e+306 kilometers"],
        ),
        ("filter=%7B&filter-lang=cql2-json", "filter", ["position 1"]),
        ("filter=a&filter-lang=cql", "filter-lang", ["cql2-text"]),
        ("filter=" + quote("id = 'x'") + "&filter-crs=EPSG:1", "filter-crs", ["32643"]),
        ("sortby=colour", "sortby", ["'colour'", "deaths_min"]),
        ("filter=" + quote("x" * 5000), "filter", ["4000"]),
    ],
)
def test_a_wrong_filter_is_a_400_saying_where(client, query, parameter, words):
    doc = get(client, f"{ITEMS}?{query}", 400)
    assert doc["parameter"] == parameter
    for word in words:
        assert word in doc["description"], doc["description"]


def test_places_have_their_own_queryables(client):
    doc = get(client, "/ogc/collections/places/items?filter=" + quote("deaths_min > 1"), 400)
    assert "name" in doc["description"] and "kind" in doc["description"]
    kinds = get(client, "/ogc/collections/places/items?filter=" + quote("kind IS NOT NULL"))
    assert kinds["numberMatched"] == get(client, "/ogc/collections/places/items")["numberMatched"]


def test_the_drafts_cql_text_is_read_as_cql2_text(client):
    """GDAL's driver sends filter-lang=cql-text, the draft's name; the API offers it."""
    query = "filter=" + quote("category = 'lethal-force'")
    assert ids(client, query + "&filter-lang=cql-text") == ids(client, query)
    parameters = get(client, "/ogc/openapi")["paths"]["/collections/{collectionId}/items"]
    lang = next(p for p in parameters["get"]["parameters"] if p["name"] == "filter-lang")
    assert "cql-text" in lang["schema"]["enum"]


ODD_FILTERS = [
    ("cql2-text", "T_AFTER(interval, TIMESTAMP('2300-01-01T00:00:00Z'))", 200),
    ("cql2-text", "start > TIMESTAMP('2300-01-01T00:00:00Z')", 200),
    ("cql2-text", "T_BEFORE(start, TIMESTAMP('1500-01-01T00:00:00Z'))", 200),
    ("cql2-text", "title LIKE 'abc\\'", 200),
    ("cql2-text", "S_DWITHIN(geometry, POINT(76.9 90), 500, meters)", 200),
    ("cql2-text", "S_DWITHIN(geometry, POINT(76.9 43.2), 1e300, meters)", 200),
    ("cql2-text", "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))", 400),
    ("cql2-text", "T_INTERSECTS(interval, INTERVAL('x', 'y'))", 400),
    ("cql2-text", "T_INTERSECTS(interval, INTERVAL('2022-01-09', '2022-01-01'))", 400),
    (
        "cql2-json",
        '{"op": "s_intersects", "args": [{"property": "geometry"}, '
        '{"type": "Polygon", "coordinates": "x"}]}',
        400,
    ),
    (
        "cql2-json",
        '{"op": "t_intersects", "args": [{"property": "interval"}, {"interval": ["x", ".."]}]}',
        400,
    ),
    ("cql2-json", '{"op": "t_after", "args": [{"property": "start"}, {"timestamp": "soon"}]}', 400),
    ("cql2-json", '{"op": "in", "args": [{"property": "title"}, "a"]}', 400),
    ("cql2-json", '{"op": "and", "args": []}', 400),
    ("cql2-json", "null", 400),
]


@pytest.mark.parametrize(("language", "text", "status"), ODD_FILTERS)
def test_odd_filters_are_answered_never_500(client, language, text, status):
    """Far-off years are held at the limits of time, as ``datetime`` holds them; text that
    is not a time, a geometry or a list is a 400 (pygeofilter's JSON reader would guess a
    date in any text)."""
    url = f"{ITEMS}?filter-lang={language}&filter={quote(text)}"
    doc = get(client, url, status)
    if status == 400:
        assert doc["parameter"] == "filter"


@pytest.mark.parametrize("text", ["-A0", "-title = 1", "- deaths_min > 1"])
def test_a_minus_before_a_property_is_a_400_not_a_500(client, text):
    """The CQL2 parser's arithmetic cannot negate a property (hypothesis found -A0)."""
    doc = get(client, f"{ITEMS}?filter=" + quote(text), 400)
    assert doc["parameter"] == "filter" and "cannot read the filter" in doc["description"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("q=%00", "q"),
        ("q=Crowd%00gathers", "q"),
        ("filter=" + quote("title LIKE '%\x00%'"), "filter"),
        ("filter=" + quote("id IN ('a', '\x00')"), "filter"),
        (
            "filter-lang=cql2-json&filter="
            + quote('{"op": "=", "args": [{"property": "id"}, "\\u0000"]}'),
            "filter",
        ),
    ],
)
def test_a_nul_in_searched_text_is_a_400_not_a_500(client, query, parameter):
    """PostgreSQL's text holds no NUL and refuses a statement with one (the database's 500
    where the files found nothing): a search for one is a 400 from either."""
    doc = get(client, f"{ITEMS}?{query}", 400)
    assert doc["parameter"] == parameter
    assert "NUL" in doc["description"], doc["description"]


def test_an_id_with_a_nul_is_not_found(client):
    response = client.get(f"{ITEMS}/spans-midnight%00")
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
