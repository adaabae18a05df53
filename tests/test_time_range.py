"""Times are kept in nanoseconds, 1677 to 2262. A time outside the years 1678 to 2261 is a
validation error naming it; inside them, data near either end, or spanning centuries, is
sliced, filtered, served and exported like any other (no 500, no traceback)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.geodata.filtering import EventFilter, select
from almaty_map.geodata.timeparse import parse_instant
from tests.conftest import DATA

EARLY, LATE = "1678-01-02T00:00:00Z", "2261-12-30T00:00:00Z"


def events_at(times: dict[str, tuple[str, str | None]]) -> str:
    """The base events, with these (start, end) for the ids given."""
    doc = json.loads((DATA / "base" / "events.geojson").read_text())
    for feature in doc["features"]:
        properties = feature["properties"]
        if properties["id"] in times:
            properties["start"], properties["end"] = times[properties["id"]]
    return json.dumps(doc)


@pytest.fixture
def far_apart(make_dataset):
    """One event near each end of the range, one spanning five centuries."""
    times = {
        "spans-midnight": (EARLY, None),
        "after-midnight-local": (LATE, None),
        "home": ("1700-06-01T00:00:00Z", "2200-06-01T00:00:00Z"),
    }
    return make_dataset(events=events_at(times))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start", "9999-01-01T00:00:00Z"),
        ("start", "0001-01-01T00:00:00+06:00"),
        ("start", "1677-12-31T23:59:59Z"),
        ("end", "2262-01-01T00:00:00Z"),
    ],
)
def test_a_time_outside_the_years_kept_is_a_validation_error(make_dataset, field, value):
    start, end = ("2022-01-06T23:00:00+06:00", value) if field == "end" else (value, None)
    folder = make_dataset(events=events_at({"spans-midnight": (start, end)}))
    result = CliRunner().invoke(cli, ["validate", str(folder)], catch_exceptions=False)
    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if f"field '{field}'" in line)
    assert "(id 'spans-midnight')" in problem and "1678" in problem and "2261" in problem
    assert repr(value) in problem


def test_a_period_outside_the_years_kept_is_a_validation_error(make_dataset):
    toml = (DATA / "base" / "dataset.toml").read_text()
    toml = toml.replace("2022-01-05T00:00:00+06:00", "1200-01-05T00:00:00+06:00")
    dataset, problems = inspect_dataset(make_dataset(toml=toml))
    assert dataset is None
    assert any(p.field == "periods[0].start" and "1678" in p.message for p in problems), problems


@pytest.mark.parametrize("slice_by", ["day", "week", "month", "period"])
def test_export_slices_data_at_both_ends_or_says_why_not(far_apart, tmp_path, slice_by):
    out = tmp_path / "map.html"
    args = ["export", "--data", str(far_apart), "--out", str(out), "--slice", slice_by]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if slice_by == "period":
        assert result.exit_code == 0, result.output
    else:  # six centuries of days, weeks or months are too many slices: a usage error
        assert result.exit_code == 2 and "choose a longer slice" in result.output
    narrowed = [*args, "--start", "1678-01-01", "--end", "1679-12-31"]
    assert CliRunner().invoke(cli, narrowed, catch_exceptions=False).exit_code == 0
    late = [*args, "--start", "2261-01-01"]
    assert CliRunner().invoke(cli, late, catch_exceptions=False).exit_code == 0


def test_filters_find_events_at_both_ends_and_across_centuries(far_apart):
    dataset = load_dataset(far_apart)
    ids = dataset.events["id"].to_numpy()

    def found(start: str | None, end: str | None) -> set[str]:
        lo = parse_instant(start) if start else None
        hi = parse_instant(end) if end else None
        return set(ids[select(dataset, EventFilter(start=lo, end=hi))])

    assert found(None, "1678-01-03T00:00:00Z") == {"spans-midnight"}
    assert found("2261-12-29T00:00:00Z", None) == {"after-midnight-local"}
    assert found("2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z") == {"home"}


@pytest.mark.parametrize(
    "path",
    [
        "/?slice=day",
        "/?slice=week&start=1678-01-01&end=1678-03-01",
        "/map?slice=month",
        "/map?slice=month&start=2261-06-01",
        "/export?slice=day&start=1678-01-01&end=1678-01-10",
        "/ogc/collections/events/items?datetime=1678-01-01/1678-01-03",
        "/ogc/collections/events/items?datetime=2000-01-01",
        "/download.csv?start=2261-12-30",
    ],
)
def test_pages_and_the_api_answer_for_data_at_both_ends(far_apart, path):
    client = create_app({"TESTING": True, "DATA_PATH": str(far_apart)}).test_client()
    response = client.get(path)
    assert response.status_code in (200, 400), (path, response.status_code)
    if "/ogc/" in path:
        assert response.get_json()["numberReturned"] == 1
