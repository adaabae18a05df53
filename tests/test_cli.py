"""The command line: validate, query, and start-up with a bad dataset."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from tests.conftest import DATA

RUN = "import sys; from almaty_map.cli import main; main(sys.argv[1:])"


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_bundled_passes():
    result = invoke("validate")
    assert result.exit_code == 0
    assert "valid, 19 events, 6 places" in result.output


def test_validate_reports_every_problem_and_fails(make_dataset):
    folder = make_dataset(events=DATA / "broken-events" / "bad-precision.geojson")
    result = invoke("validate", str(folder))
    assert result.exit_code == 1
    assert "field 'time_precision'" in result.output and "field 'geo_precision'" in result.output
    assert "2 error(s)" in result.output


def test_validate_json(make_dataset):
    folder = make_dataset(events=DATA / "broken-events" / "duplicate-id.geojson")
    result = invoke("validate", str(folder), "--format", "json")
    report = json.loads(result.output)
    assert report["valid"] is False
    assert report["problems"][0]["field"] == "id"


def test_query_geojson_and_csv_agree(make_dataset):
    folder = str(make_dataset())
    geo = orjson.loads(invoke("query", "--data", folder, "--start", "2022-01-07").stdout_bytes)
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke("query", "--data", folder, "--start", "2022-01-07", "--format", "csv").output
            )
        )
    )
    assert (
        [f["id"] for f in geo["features"]]
        == [r["id"] for r in rows]
        == ["spans-midnight", "after-midnight-local"]
    )


def test_query_bad_option_names_it():
    result = CliRunner().invoke(cli, ["query", "--bbox", "1,2,3"])
    assert result.exit_code == 2
    assert "--bbox" in result.output and "four numbers" in result.output


def test_query_names_every_bad_option_at_once():
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--start",
            "never",
            "--bbox",
            "200,0,10,10",
            "--category",
            "riot",
            "-q",
            "x" * 201,
        ],
    )
    assert result.exit_code == 2
    assert "4 invalid values:" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert "--bbox: longitude 200 (min_lon) is out of range [-180, 180]" in lines
    for option in ("--start", "--category", "--text"):
        assert any(line.startswith(f"{option}: expected") for line in lines)
    assert "Traceback" not in result.output


def test_query_on_a_broken_dataset_prints_the_report(make_dataset):
    folder = make_dataset(events=DATA / "broken-events" / "null-geometry.geojson")
    result = CliRunner().invoke(cli, ["query", "--data", str(folder)])
    assert result.exit_code == 1
    assert "is null" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_a_broken_dataset_with_the_report(make_dataset):
    folder = make_dataset(events=DATA / "broken-events" / "unknown-category.geojson")
    result = CliRunner().invoke(cli, ["serve", "--data", str(folder), "--port", "1"])
    assert result.exit_code == 1
    assert "cannot be served" in result.output and "'riot'" in result.output


def test_every_command_has_help():
    for command in ("validate", "query", "serve", "run"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert ("PATH" if command == "validate" else "--data PATH") in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["query", "--text", b"caf\xe9"],
        ["query", "--category", b"protest,\xff"],
        ["query", "--start", b"2022\xff"],
        ["export", "--out", "map.html", "--title", b"\xff"],
        ["export", "--out", "map.html", "--carto-key", b"\xff"],
    ],
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(tmp_path, args):
    """Bytes that are not UTF-8 reach Python as lone surrogates: refused, never a traceback."""
    result = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 2, result.stderr.decode()
    assert b"is not UTF-8 text" in result.stderr and b"Traceback" not in result.stderr
    assert not (tmp_path / "map.html").exists()


def test_a_folder_name_that_is_not_utf8_is_reported_escaped(tmp_path):
    folder = bytes(tmp_path) + b"/caf\xe9"
    result = subprocess.run([sys.executable, "-c", RUN, "validate", folder], capture_output=True)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"caf\\udce9: is not a folder" in result.stdout
