"""`almaty-map init` and the README's worked examples: from a file to a valid folder, a
served map and an export, with no code."""

from __future__ import annotations

import re
import shutil
import tomllib

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.scaffold import PALETTE
from tests.conftest import DATA

TABLES = DATA / "tables"
EXAMPLES = {
    "acled": TABLES / "acled" / "acled-almaty.csv",
    "xlsx": TABLES / "team" / "team-sheet.xlsx",
    "ods": TABLES / "team" / "team-sheet.ods",
    "kml": TABLES / "mymaps" / "almaty-mymaps.kml",
    "gpkg": TABLES / "gis" / "incidents.gpkg",
    "fgb": TABLES / "gis" / "incidents.fgb",
    "shp": TABLES / "gis" / "incidents.shp",
}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_a_worked_example_goes_from_file_to_served_map_and_export(tmp_path, name):
    folder = tmp_path / f"{name}-map"
    made = invoke("init", str(folder), "--from", str(EXAMPLES[name]), "--timezone", "Asia/Almaty")
    assert made.exit_code == 0, made.output
    assert "The folder is valid." in made.output and "0 error(s)" in made.output
    checked = invoke("validate", str(folder))
    assert checked.exit_code == 0, checked.output
    page = tmp_path / f"{name}.html"
    assert invoke("export", "--data", str(folder), "--out", str(page)).exit_code == 0
    assert page.read_bytes().startswith(b"<!DOCTYPE html>")
    count = int(re.search(r"valid, (\d+) events", checked.output).group(1))
    client = create_app({"TESTING": True, "DATA_PATH": str(folder)}).test_client()
    assert client.get("/").status_code == 200
    items = client.get("/ogc/collections/events/items?f=json").get_json(force=True)
    assert items["numberMatched"] == count > 0


def test_the_own_csv_worked_example(tmp_path):
    csv = tmp_path / "events.csv"
    assert invoke("query", "--format", "csv", "--out", str(csv)).exit_code == 0
    folder = tmp_path / "copy"
    made = invoke("init", str(folder), "--from", str(csv), "--timezone", "Asia/Almaty")
    assert "names no place in places file" in made.output  # until the places are copied in
    shutil.copyfile(BUNDLED / "places.geojson", folder / "places.geojson")
    checked = invoke("validate", str(folder))
    assert checked.exit_code == 0 and "valid, 19 events" in checked.output, checked.output


def test_init_proposes_acled_categories_palette_and_periods(tmp_path):
    folder = tmp_path / "acled-map"
    made = invoke("init", str(folder), "--from", str(EXAMPLES["acled"]))
    assert "Recognised an ACLED export" in made.output
    assert "the timezone: it could not be known" in made.output  # Kazakhstan has several
    meta = tomllib.loads((folder / "dataset.toml").read_text())
    assert meta["format"] == "acled" and meta["timezone"] == "UTC"
    ids = [c["id"] for c in meta["categories"]]
    assert ids == [
        "protests",
        "riots",
        "battles",
        "violence-against-civilians",
        "strategic-developments",
    ]
    assert [c["colour"] for c in meta["categories"]] == list(PALETTE[:5])
    assert meta["categories"][3]["label"] == "Violence against civilians"
    assert [p["label"] for p in meta["periods"]] == ["January 2022"]
    assert (folder / "events.csv").read_bytes() == EXAMPLES["acled"].read_bytes()


def test_init_maps_a_team_sheets_headings(tmp_path):
    folder = tmp_path / "team-map"
    invoke("init", str(folder), "--from", str(EXAMPLES["xlsx"]), "--timezone", "Asia/Almaty")
    columns = tomllib.loads((folder / "dataset.toml").read_text())["columns"]
    assert columns["id"] == "Ref" and columns["latitude"] == "Lat"
    assert columns["start"] == "When" and columns["source_quote"] == "Quote"


def test_init_never_writes_into_a_folder_with_files(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "dataset.toml").write_text("title = 'mine'\n")
    result = invoke("init", str(folder), "--from", str(EXAMPLES["acled"]))
    assert result.exit_code == 2
    assert "is not empty, and init never writes over a folder's files" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["dataset.toml"]
    assert (folder / "dataset.toml").read_text() == "title = 'mine'\n"


def test_init_refuses_a_format_it_does_not_read(tmp_path):
    source = tmp_path / "events.vrt"
    source.write_text("<OGRVRTDataSource/>")
    result = invoke("init", str(tmp_path / "new"), "--from", str(source))
    assert result.exit_code == 2 and "is not in a format almaty-map reads" in result.output
    assert not (tmp_path / "new").exists()


def test_an_unknown_timezone_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["init", str(tmp_path / "x"), "--from", str(EXAMPLES["acled"]), "--timezone", "Mars/Base"],
    )
    assert result.exit_code == 2 and "is not a known timezone" in result.output
    assert not (tmp_path / "x").exists()


def test_init_from_a_file_that_is_not_valid_reports_its_problems(tmp_path):
    broken = tmp_path / "sheet.csv"
    broken.write_text((TABLES / "team" / "team-sheet.csv").read_text().replace("43.2383", "north"))
    result = invoke(
        "init", str(tmp_path / "new"), "--from", str(broken), "--timezone", "Asia/Almaty"
    )
    assert result.exit_code == 1
    assert "events.csv, row 2 (id '001'): column 'Lat': is not a number" in result.output
    assert "Fix the errors above" in result.output


def test_periods_cover_each_month(tmp_path):
    text = (
        (TABLES / "team" / "team-sheet.csv")
        .read_text()
        .replace("2022-01-06 18:00", "2022-03-02 18:00")
    )
    source = tmp_path / "sheet.csv"
    source.write_text(text)
    invoke("init", str(tmp_path / "new"), "--from", str(source), "--timezone", "Asia/Almaty")
    periods = tomllib.loads((tmp_path / "new" / "dataset.toml").read_text())["periods"]
    assert [p["label"] for p in periods] == ["January 2022", "February 2022", "March 2022"]
    assert str(periods[1]["start"]) == "2022-02-01" and str(periods[1]["end"]) == "2022-03-01"


def test_init_from_a_file_without_events_says_so(tmp_path):
    empty = tmp_path / "none.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    result = invoke("init", str(tmp_path / "new"), "--from", str(empty), "--timezone", "UTC")
    assert result.exit_code == 0, result.output
    assert "periods: no event has a start time that could be read" in result.output
    assert "categories: the file has none" in result.output


def test_init_hands_gdal_no_file_whose_content_is_not_its_format(tmp_path):
    """A VRT named .kml would make GDAL read any local file; init proposes a mapping from
    the headings before validating, so it must check the content first, as validate does."""
    secret = tmp_path / "secret.csv"
    secret.write_text("private_heading,lat,lon\n1,43.2,76.9\n")
    disguised = tmp_path / "map.kml"
    disguised.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{secret}</SrcDataSource>'
        '<GeometryType>wkbPoint</GeometryType><GeometryField encoding="PointFromColumns" '
        'x="lon" y="lat"/></OGRVRTLayer></OGRVRTDataSource>'
    )
    result = invoke("init", str(tmp_path / "new"), "--from", str(disguised), "--timezone", "UTC")
    assert result.exit_code == 1
    assert "events.kml: is not a KML file, though its name says so" in result.output
    assert "private_heading" not in result.output
    # Nothing of the file GDAL would have read is proposed (its "lat" and "lon" columns).
    assert "[columns]" not in (tmp_path / "new" / "dataset.toml").read_text()


def test_a_shapefiles_cut_field_names_are_mapped_and_its_parts_copied(tmp_path):
    folder = tmp_path / "shp-map"
    made = invoke("init", str(folder), "--from", str(EXAMPLES["shp"]), "--timezone", "Asia/Almaty")
    assert made.exit_code == 0, made.output
    assert sorted(p.suffix for p in folder.glob("events.*")) == [
        ".cpg",
        ".dbf",
        ".prj",
        ".shp",
        ".shx",
    ]
    columns = tomllib.loads((folder / "dataset.toml").read_text())["columns"]
    assert columns["time_precision"] == "time_preci" and columns["geo_precision"] == "geo_precis"
    events = load_dataset(folder).events.set_index("id")
    reference = load_dataset(DATA / "base").events.set_index("id")
    for name in ("description", "time_precision", "geo_precision", "start", "sources"):
        assert list(events[name]) == list(reference.loc[events.index, name]), name
