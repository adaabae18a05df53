"""The same CQL2 filter text works in `almaty-map query --filter`, the reader's page
(?filter=) and the API, and selects the same events in each."""

from __future__ import annotations

from urllib.parse import quote

import orjson
from click.testing import CliRunner

from almaty_map.cli import main as cli

QUESTION = "deaths_min >= 1 AND NOT geo_precision = 'city'"
EXPECTED = ["2022-01-06-republic-square-shooting", "2022-01-07-aykorkem-killed"]


def test_the_cli_filters_with_cql2():
    result = CliRunner().invoke(cli, ["query", "--filter", QUESTION])
    assert result.exit_code == 0, result.output
    assert [f["id"] for f in orjson.loads(result.stdout_bytes)["features"]] == EXPECTED


def test_the_cli_reads_cql2_json_and_names_a_wrong_filter():
    document = '{"op": "=", "args": [{"property": "category"}, "protest"]}'
    result = CliRunner().invoke(cli, ["query", "--filter", document, "--filter-lang", "cql2-json"])
    assert result.exit_code == 0 and len(orjson.loads(result.stdout_bytes)["features"]) >= 1
    wrong = CliRunner().invoke(cli, ["query", "--filter", "colour = 'red'"])
    assert wrong.exit_code == 2
    assert "--filter: unknown property 'colour'" in wrong.output and "deaths_min" in wrong.output


def test_the_page_and_its_downloads_take_the_filter(client):
    page = client.get("/?filter=" + quote(QUESTION)).get_data(as_text=True)
    assert "2 of 19 events match the filters." in page
    assert 'name="filter"' in page and "filter=deaths_min" in page  # kept in links
    download = client.get("/download.geojson?filter=" + quote(QUESTION))
    assert download.status_code == 200
    assert [f["id"] for f in orjson.loads(download.get_data())["features"]] == EXPECTED


def test_a_wrong_filter_on_the_page_is_a_400_that_escapes_it(client):
    response = client.get("/?filter=" + quote("<script>alert(1)</script> = 1"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "<script>alert(1)" not in text and "filter" in text
