"""Events in tables (CSV, TSV, XLSX, ODS): read through [columns], every problem named by
row, sheet and column, and the tool's own CSV read back field for field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from tests.conftest import DATA

TABLES = DATA / "tables"
TEAM = TABLES / "team"
EVERY = TABLES / "every-field"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def folder_with(tmp_path: Path, events: Path, toml: Path, name: str | None = None) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(toml, folder / "dataset.toml")
    shutil.copyfile(events, folder / (name or f"events{events.suffix}"))
    return folder


def properties(folder: Path) -> list[dict]:
    result = invoke("query", "--data", str(folder))
    assert result.exit_code == 0, result.output
    return [
        f["properties"] | {"geometry": f["geometry"]} for f in json.loads(result.stdout)["features"]
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".ods"])
def test_the_team_sheet_reads_the_same_in_every_format(tmp_path, suffix):
    folder = folder_with(tmp_path, TEAM / f"team-sheet{suffix}", TEAM / "dataset.toml")
    dataset, problems = inspect_dataset(folder)
    assert dataset is not None, [str(p) for p in problems]
    events = {p["id"]: p for p in properties(folder)}
    assert list(events) == ["001", "002", "007"]  # "007" stays text, typed as text
    shots = events["007"]
    assert shots["start"] == "2022-01-06T18:00:00+06:00"  # a local time in the timezone
    assert events["002"]["start"] == "2022-01-05T00:00:00+06:00"  # a date: local midnight
    assert shots["fatalities"] == {"kind": "exact", "count": 3}
    assert shots["geometry"] == {"type": "Point", "coordinates": [76.9458, 43.238]}
    assert events["001"]["actors"] == ["protesters", "police"]  # separated by "; "
    assert shots["sources"] == [
        {
            "publication": "Example Radio",
            "title": "What the witnesses saw",
            "date": "2022-01-10",
            "url": "https://example.org/radio/witnesses",
            "quote": "Three people were killed near the monument, two witnesses said.",
        }
    ]
    assert shots["time_source"] == [0] and shots["fatalities_source"] == [0]


def test_every_problem_of_a_sheet_is_named_by_row_and_column(tmp_path):
    rows = (TEAM / "team-sheet.csv").read_text().splitlines()
    rows[1] = rows[1].replace("43.2383", "north")  # row 2: a latitude that is not a number
    rows[3] = rows[3].replace(",shooting,", ",gunfire,")  # row 4: an undeclared category
    broken = tmp_path / "events.csv"
    broken.write_text("\n".join([rows[0], rows[1], "", rows[2], rows[3]]) + "\n")  # a blank row 3
    folder = folder_with(tmp_path, broken, TEAM / "dataset.toml")
    result = invoke("validate", str(folder))
    assert result.exit_code == 1
    assert (
        "events.csv, row 2 (id '001'): column 'Lat': is not a number; expected decimal "
        "degrees, e.g. 43.2389, got 'north'" in result.output
    )
    assert (
        "events.csv, row 5 (id '007'): column 'Type' (field 'category'): is not a declared "
        "category" in result.output
    )
    assert "got 'gunfire'" in result.output
    assert "3 error(s)" in result.output  # and row 2 has no place: its geometry is missing
    dataset, _ = inspect_dataset(folder)
    assert dataset is None  # nothing half loaded


def test_a_workbook_problem_names_the_sheet(tmp_path):
    frame = pd.read_excel(TEAM / "team-sheet.xlsx", dtype=object, engine="calamine")
    frame.loc[1, "Precision of place"] = "street"
    target = tmp_path / "events.xlsx"
    pyogrio.write_dataframe(frame, target, driver="XLSX", layer="Log")
    folder = folder_with(tmp_path, target, TEAM / "dataset.toml")
    result = invoke("validate", str(folder))
    assert result.exit_code == 1
    assert (
        "events.xlsx, sheet 'Log', row 3 (id '002'): column 'Precision of place' (field "
        "'geo_precision'): is not a known precision" in result.output
    )


def test_a_sheet_named_in_columns_is_read(tmp_path):
    frame = pd.read_excel(TEAM / "team-sheet.xlsx", dtype=object, engine="calamine")
    target = tmp_path / "events.xlsx"
    pyogrio.write_dataframe(frame.head(0), target, driver="XLSX", layer="Notes")
    pyogrio.write_dataframe(frame, target, driver="XLSX", layer="Events", append=True)
    toml = (
        (TEAM / "dataset.toml").read_text().replace("[columns]\n", '[columns]\nsheet = "Events"\n')
    )
    (tmp_path / "d.toml").write_text(toml)
    folder = folder_with(tmp_path, target, tmp_path / "d.toml")
    assert len(load_dataset(folder).events) == 3
    (folder / "dataset.toml").write_text(toml.replace('sheet = "Events"', 'sheet = "Nope"'))
    result = invoke("validate", str(folder))
    assert "events.xlsx: field 'columns.sheet': has no sheet of that name" in result.output
    assert "'Notes', 'Events'" in result.output


def test_a_tsv_and_a_semicolon_csv_are_read(tmp_path):
    frame = pd.read_csv(TEAM / "team-sheet.csv", dtype=str, keep_default_na=False)
    for name, sep in (("events.tsv", "\t"), ("events.csv", ";")):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(TEAM / "dataset.toml", folder / "dataset.toml")
        frame.to_csv(folder / name, sep=sep, index=False)
        assert list(load_dataset(folder).events["id"]) == ["001", "002", "007"], name


def test_a_csv_that_is_not_utf8_says_how_to_save_it(tmp_path):
    target = tmp_path / "events.csv"
    target.write_bytes(
        (TEAM / "team-sheet.csv").read_text().replace("Almaty", "Алматы").encode("cp1251")
    )
    result = invoke("validate", str(folder_with(tmp_path, target, TEAM / "dataset.toml")))
    assert result.exit_code == 1
    assert "events.csv: is not UTF-8 text" in result.output and "CSV UTF-8" in result.output


def test_a_ragged_row_and_a_repeated_heading_are_errors(tmp_path):
    target = tmp_path / "events.csv"
    target.write_text("id,title\n1,a\n2,b,c\n")
    result = invoke("validate", str(folder_with(tmp_path, target, TEAM / "dataset.toml")))
    assert "events.csv, row 3: has a row with more cells than the header row" in result.output
    target.write_text("id,title,id\n1,a,2\n")
    result = invoke("validate", str(folder_with(tmp_path, target, TEAM / "dataset.toml")))
    assert (
        "events.csv, row 1: has a header row that does not name every column once" in result.output
    )
    assert "'id' twice" in result.output


def test_a_table_without_coordinates_is_one_problem(tmp_path):
    frame = pd.read_csv(TEAM / "team-sheet.csv", dtype=str).drop(columns=["Lat", "Lon"])
    target = tmp_path / "events.csv"
    frame.to_csv(target, index=False)
    result = invoke("validate", str(folder_with(tmp_path, target, TEAM / "dataset.toml")))
    assert (
        "events.csv: has no coordinates; expected 'latitude' and 'longitude' columns"
        in result.output
    )
    assert result.output.count("has no coordinates") == 1


def test_a_mapping_to_no_field_is_an_error(tmp_path):
    toml = (TEAM / "dataset.toml").read_text().replace('title = "Headline"', 'titel = "Headline"')
    (tmp_path / "d.toml").write_text(toml)
    folder = folder_with(tmp_path, TEAM / "team-sheet.csv", tmp_path / "d.toml")
    result = invoke("validate", str(folder))
    assert "dataset.toml: field 'columns.titel': is not a field to map" in result.output


def test_wkt_geometries_are_read(tmp_path):
    frame = pd.read_csv(TEAM / "team-sheet.csv", dtype=str, keep_default_na=False)
    frame["Shape"] = "POLYGON ((76.94 43.23, 76.95 43.23, 76.95 43.24, 76.94 43.23))"
    frame.loc[2, "Shape"] = "POLYGON ((76.94 43.23, oops))"
    target = tmp_path / "events.csv"
    frame.drop(columns=["Lat", "Lon"]).to_csv(target, index=False)
    toml = (TEAM / "dataset.toml").read_text().replace('latitude = "Lat"', 'geometry = "Shape"')
    (tmp_path / "d.toml").write_text(toml)
    result = invoke("validate", str(folder_with(tmp_path, target, tmp_path / "d.toml")))
    assert (
        "events.csv, row 4 (id '007'): column 'Shape' (field 'geometry'): cannot be read"
        in result.output
    )
    assert "1 error(s)" in result.output


def round_trip(tmp_path: Path, source: Path) -> Path:
    """The dataset at ``source`` written by `query --format csv` into a new folder."""
    folder = tmp_path / "from-csv"
    folder.mkdir()
    for name in ("dataset.toml", "places.geojson", "corrections.toml"):
        if (source / name).exists():
            shutil.copyfile(source / name, folder / name)
    result = invoke(
        "query", "--data", str(source), "--format", "csv", "--out", str(folder / "events.csv")
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("source", [BUNDLED, EVERY], ids=["bundled", "every-field"])
def test_the_tools_own_csv_round_trips(tmp_path, source):
    folder = round_trip(tmp_path, source)
    checked = invoke("validate", str(folder))
    assert checked.exit_code == 0 and "0 error(s), 0 warning(s)" in checked.output, checked.output
    for args in (["query"], ["query", "--format", "csv"]):
        before = invoke(*args, "--data", str(source))
        after = invoke(*args, "--data", str(folder))
        assert after.stdout == before.stdout
    pages = []
    for data in (source, folder):
        out = tmp_path / f"{data.name}.html"
        assert invoke("export", "--data", str(data), "--out", str(out)).exit_code == 0
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_every_field_is_in_the_round_trip_data():
    """The dataset the round trip is proved on holds every optional field and shape."""
    features = json.loads((EVERY / "events.geojson").read_text())["features"]
    kinds = {
        f["properties"].get("fatalities", {}).get("kind")
        for f in features
        if isinstance(f["properties"].get("fatalities"), dict)
    }
    assert kinds == {"at least", "range", "unnumbered", "about"}
    assert any(f["properties"].get("sensitive") for f in features)
    assert {f["geometry"]["type"] for f in features} == {
        "Point",
        "Polygon",
        "LineString",
        "MultiPolygon",
    }
    first = features[0]["properties"]
    assert {
        "end",
        "time_source",
        "location_source",
        "fatalities_source",
        "place_id",
        "verified_by",
    } <= set(first)
    assert first["title"].startswith("-") and first["verified_by"].startswith("=")


def test_a_cell_starting_with_the_guard_survives_the_round_trip(tmp_path):
    """A title that starts with an apostrophe is guarded too, so reading takes one off."""
    source = tmp_path / "src"
    shutil.copytree(EVERY, source)
    text = (source / "events.geojson").read_text().replace("A private home", "'Tis a private home")
    (source / "events.geojson").write_text(text)
    folder = round_trip(tmp_path, source)
    assert "'Tis a private home" in [p["title"] for p in properties(folder)]
