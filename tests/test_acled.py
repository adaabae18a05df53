"""ACLED's export read as it comes: the preset's mapping, and what it says it built."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from tests.conftest import DATA

EXPORT = DATA / "tables" / "acled" / "acled-almaty.csv"
TOML = """title = "ACLED sample"
timezone = "Asia/Almaty"
format = "acled"
{categories}
"""
CATEGORIES = (
    "protests",
    "riots",
    "battles",
    "violence-against-civilians",
    "strategic-developments",
)


def acled_folder(tmp_path: Path, csv_text: str | None = None, extra: str = "") -> Path:
    folder = tmp_path / "acled"
    folder.mkdir()
    tables = "".join(
        f'\n[[categories]]\nid = "{c}"\nlabel = "{c}"\ncolour = "#000000"\n' for c in CATEGORIES
    )
    (folder / "dataset.toml").write_text(TOML.format(categories=tables) + extra)
    if csv_text is None:
        shutil.copyfile(EXPORT, folder / "events.csv")
    else:
        (folder / "events.csv").write_text(csv_text)
    return folder


def events(folder: Path) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["query", "--data", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {f["id"]: f["properties"] for f in json.loads(result.stdout)["features"]}


def test_an_acled_export_maps_to_events(tmp_path):
    by_id = events(acled_folder(tmp_path))
    assert len(by_id) == 8
    riot = by_id["XKZ0102"]
    assert riot["title"] == "Violent demonstration in Almaty"
    assert riot["built_fields"] == "title"
    assert riot["category"] == "riots"
    assert riot["start"] == "2022-01-05T00:00:00+06:00"  # a local day in the timezone
    assert riot["time_precision"] == "day" and riot["geo_precision"] == "city"
    assert riot["fatalities"] == {"kind": "exact", "count": 3}
    assert riot["fatalities_source"] == [0]
    assert riot["actors"] == ["Rioters (Kazakhstan)", "Police Forces of Kazakhstan (2019-)"]
    assert riot["place"] == "Almaty, Kazakhstan"
    [source] = riot["sources"]
    assert source["publication"] == "ACLED" and source["note"] == "ACLED cites: Example Wire"
    assert source["quote"] == riot["description"]  # ACLED's notes, in its own words
    assert source["date"] == "2022-01-24"  # the row's timestamp
    assert by_id["XKZ0103"]["time_precision"] == "week"
    assert by_id["XKZ0106"]["time_precision"] == "month"
    assert by_id["XKZ0106"]["geo_precision_acled"] == "3"
    assert by_id["XKZ0101"]["event_type"] == "Protests"


def test_zero_fatalities_is_not_reported_with_a_note(tmp_path):
    protest = events(acled_folder(tmp_path))["XKZ0101"]
    assert protest["fatalities"] is None
    assert "not a confirmed zero" in protest["fatalities_note"]


def test_both_of_acleds_date_forms_are_read(tmp_path):
    worded = EXPORT.read_text().replace(",2022-01-05,", ",05 January 2022,")
    assert "05 January 2022" in worded
    by_id = events(acled_folder(tmp_path, worded))
    assert by_id["XKZ0102"]["start"] == "2022-01-05T00:00:00+06:00"


def test_categories_can_be_mapped_by_event_type(tmp_path):
    mapped = '\n[columns.values.category]\n"Riots" = "protests"\n'
    assert events(acled_folder(tmp_path, extra=mapped))["XKZ0102"]["category"] == "protests"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            ",2022-01-05,2022,1,",
            ",5/1/22,2022,1,",
            "row 3 (id 'XKZ0102'): column 'event_date' (field 'start')",
        ),
        (
            ",2022-01-05,2022,1,",
            ",2022-01-05,2022,4,",
            "row 3 (id 'XKZ0102'): column 'time_precision'",
        ),
        (",3,,1643000100", ",three,,1643000100", "row 3 (id 'XKZ0102'): column 'fatalities'"),
    ],
)
def test_a_bad_acled_value_names_its_row_and_column(tmp_path, old, new, message):
    text = EXPORT.read_text()
    assert old in text
    folder = acled_folder(tmp_path, text.replace(old, new, 1))
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1
    assert f"events.csv, {message}" in result.output


def test_a_timestamp_beyond_any_date_dates_the_source_by_the_event(tmp_path):
    """ACLED's timestamp dates its source; one too large for a date (a typo, a value in
    milliseconds times a thousand) must not stop the reading."""
    rows = EXPORT.read_text().splitlines()
    rows[1] = rows[1].replace(",1643000000", ",99999999999999999")
    by_id = events(acled_folder(tmp_path, "\n".join(rows) + "\n"))
    assert by_id["XKZ0101"]["sources"][0]["date"] == "2022-01-04"
    assert by_id["XKZ0102"]["sources"][0]["date"] == "2022-01-24"
