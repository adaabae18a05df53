"""An events file with no features is a valid dataset that maps nothing: validate says so
with a warning, and the command line, the pages and the API answer with nothing in them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli

EMPTY = '{"type": "FeatureCollection", "features": []}'


@pytest.fixture
def empty(make_dataset):
    return make_dataset(events=EMPTY)


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_says_valid_and_empty_with_a_warning(empty):
    result = invoke("validate", str(empty))
    assert result.exit_code == 0, result.output
    assert "warning: events.geojson: has no features, so the map will be empty" in result.output
    assert "0 error(s), 1 warning(s)" in result.output
    assert "valid, 0 events" in result.output


@pytest.mark.parametrize("slice_by", ["period", "day", "week", "month"])
def test_export_writes_an_empty_map(empty, tmp_path, slice_by):
    out = tmp_path / "map.html"
    result = invoke("export", "--data", str(empty), "--out", str(out), "--slice", slice_by)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<!DOCTYPE html>")


def test_query_writes_no_features(empty):
    result = invoke("query", "--data", str(empty), "--text", "x", "--start", "2022-01-01")
    assert json.loads(result.output) == {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?slice=day&q=x",
        "/map?slice=month",
        "/export",
        "/download.csv",
        "/ogc/collections/events",
        "/ogc/collections/events/items?bbox=1,2,3,4&datetime=2022-01-01",
    ],
)
def test_pages_and_the_api_answer_with_nothing_in_them(empty, path):
    client = create_app({"TESTING": True, "DATA_PATH": str(empty)}).test_client()
    assert client.get(path).status_code == 200
