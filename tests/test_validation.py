"""Every validation error has a broken dataset under tests/data and a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely

from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.geodata.errors import DataError
from tests.conftest import DATA

BROKEN = DATA / "broken-events"

# file -> pieces the report must contain (file, feature index, id, field, expectation)
EVENT_CASES = {
    "not-json": ["events.geojson, line", "is not valid JSON"],
    "truncated": ["events.geojson, line", "is not valid JSON"],
    "empty-file": ["is not valid JSON", "empty"],
    "deeply-nested": ["feature 0", "is not a GeoJSON Feature object"],
    "deeply-nested-property": [
        "feature 1 (id 'after-midnight-local')",
        "field 'properties'",
        "nests too deeply",
    ],
    "not-a-collection": ["is not a GeoJSON FeatureCollection", "'Feature'"],
    "features-not-a-list": ["field 'features'", "a 'features' array"],
    "crs-member": ["field 'crs'", "EPSG::3857", "RFC 7946"],
    "not-a-feature": ["feature 1", "is not a GeoJSON Feature object"],
    "missing-geometry": ["feature 1 (id 'after-midnight-local')", "field 'geometry'", "is missing"],
    "null-geometry": ["feature 1 (id 'after-midnight-local')", "field 'geometry'", "is null"],
    "invalid-geometry": ["feature 2 (id 'home')", "is not valid"],
    "empty-point": [
        "feature 1 (id 'after-midnight-local')",
        "field 'geometry'",
        "is empty",
        "at least one position",
    ],
    "malformed-coordinates": ["feature 1", "cannot be read"],
    "unsupported-geometry": ["feature 1", "MultiPoint", "Point | LineString"],
    "out-of-range": ["feature 1", "out of range", "[276.950000, 43.250000]"],
    "swapped-coordinates": ["feature 1", "look swapped", "[longitude, latitude]"],
    "outside-extent": ["feature 1", "outside the dataset's extent", "[71.430000, 51.130000]"],
    "unknown-category": [
        "feature 1 (id 'after-midnight-local')",
        "field 'category'",
        "one of protest, violence",
        "'riot'",
    ],
    "unparseable-date": ["field 'start'", "UTC offset", "'7 Jan 2022'"],
    "missing-offset": ["field 'start'", "UTC offset", "'2022-01-06T18:30:00'"],
    "end-before-start": ["feature 0 (id 'spans-midnight')", "field 'end'", "is before start"],
    "duplicate-id": ["feature 1 (id 'spans-midnight')", "is also used by feature 0"],
    "missing-id": ["feature 1", "field 'id'", "is missing"],
    "missing-sources": ["feature 1", "field 'sources'", "at least one source"],
    "empty-sources": ["feature 1", "field 'sources'", "at least one source"],
    "source-without-publication": ["feature 0", "field 'sources[0].publication'"],
    "source-bad-url": ["field 'sources[0].url'", "http:// or https://", "javascript:"],
    "bad-precision": ["field 'time_precision'", "'minute'", "field 'geo_precision'"],
    "bad-fatalities": ["field 'fatalities'", "integer >= 0", "-3"],
    "bad-count": ["feature 1 (id 'after-midnight-local')", "field 'fatalities'", "'at most'"],
    "claim-without-quote": [
        "feature 0 (id 'spans-midnight')",
        "field 'location_source'",
        "sources[3], which does not exist or has no quote",
    ],
    # valid JSON that the streaming parser cannot hold (beyond 64 bits): checked like any other
    "huge-integer": ["feature 1 (id 'after-midnight-local')", "field 'fatalities'", "1e+30"],
    "bad-actors": ["field 'actors'", "list of non-empty strings"],
    "bad-sensitive": ["field 'sensitive'", "boolean", "'yes'"],
    "unknown-place-id": ["field 'place_id'", "'nowhere'"],
    "missing-title": ["field 'title'", "non-empty string"],
}

TOML_CASES = {
    "invalid-toml": ["dataset.toml", "not valid TOML", "line"],
    "unknown-timezone": ["field 'timezone'", "IANA", "Asia/Alma-Ata-Town"],
    "bad-colour": ["field 'categories[1].colour'", "#rrggbb", "'red'"],
    "duplicate-category": ["field 'categories[1].id'", "declared twice"],
    "overlapping-periods": ["field 'periods[1].start'", "overlaps"],
    "period-end-before-start": ["field 'periods[1].end'", "not after start"],
    "missing-title": ["field 'title'", "missing"],
    "no-categories": ["field 'categories'", "at least one category"],
}


def test_every_broken_file_has_a_case():
    assert {p.stem for p in BROKEN.glob("*.geojson")} == set(EVENT_CASES)
    assert {p.stem for p in (DATA / "broken-toml").glob("*.toml")} == set(TOML_CASES)


def test_base_dataset_is_valid(make_dataset):
    dataset, problems = inspect_dataset(make_dataset())
    assert dataset is not None, [str(p) for p in problems]
    assert len(dataset.events) == 3


@pytest.mark.parametrize("case", sorted(EVENT_CASES))
def test_broken_events_are_reported(make_dataset, case):
    folder = make_dataset(events=BROKEN / f"{case}.geojson")
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    text = "\n".join(str(p) for p in caught.value.errors)
    for piece in EVENT_CASES[case]:
        assert piece in text, f"{piece!r} not in report:\n{text}"


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_broken_metadata_is_reported(make_dataset, case):
    folder = make_dataset(toml=DATA / "broken-toml" / f"{case}.toml")
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    text = "\n".join(str(p) for p in problems)
    for piece in TOML_CASES[case]:
        assert piece in text, f"{piece!r} not in report:\n{text}"


def test_all_problems_are_reported_at_once(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"category": "violence"', '"category": "riot"')
    text = text.replace('"start": "2022-01-05T12:00:00+06:00"', '"start": "soon"')
    text = text.replace('"id": "after-midnight-local"', '"id": "spans-midnight"')
    _, problems = inspect_dataset(make_dataset(events=text))
    fields = {p.field for p in problems if p.severity == "error"}
    assert {"category", "start", "id"} <= fields


def test_empty_point_read_by_gdal_is_reported(make_dataset):
    """GDAL hands over shapes, not GeoJSON: an empty one must be caught all the same."""
    folder = make_dataset()
    source = gpd.read_file(folder / "events.geojson", engine="pyogrio")
    for column in ("actors", "sources"):
        source[column] = source[column].map(
            lambda v: None if v is None else json.dumps(getattr(v, "tolist", lambda: v)())
        )
    source.loc[1, "geometry"] = shapely.Point()
    (folder / "events.geojson").unlink()
    source.to_file(folder / "events.gpkg", engine="pyogrio")
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    assert [str(p) for p in problems if p.severity == "error"] == [
        "events.gpkg, feature 1 (id 'after-midnight-local'): field 'geometry': is empty; "
        "expected at least one position"
    ]


def test_sensitive_coordinates_are_withheld_from_errors(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    polygon = "[[[76.90, 43.20], [76.92, 43.20], [76.92, 43.22], [76.90, 43.22], [76.90, 43.20]]]"
    assert polygon in text
    text = text.replace(polygon, polygon.replace("76.9", "71.9").replace("43.2", "51.2"))
    _, problems = inspect_dataset(make_dataset(events=text))
    report = "\n".join(str(p) for p in problems)
    assert "outside the dataset's extent" in report
    assert "withheld" in report
    assert "71.9" not in report and "51.2" not in report


def test_fractional_seconds_are_a_warning(make_dataset):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace("2022-01-06T18:30:00Z", "2022-01-06T18:30:00.250Z")
    dataset, problems = inspect_dataset(make_dataset(events=text))
    assert dataset is not None
    assert any(p.severity == "warning" and "fractional" in p.message for p in problems)
    assert dataset.events.set_index("id").loc["after-midnight-local", "start"].microsecond == 0


def test_file_over_the_size_limit_is_refused_without_reading(make_dataset):
    folder = make_dataset()
    with (folder / "events.geojson").open("r+b") as handle:
        handle.truncate(300 * 2**20)  # sparse: several hundred MB on paper, no disk used
    dataset, problems = inspect_dataset(folder, max_bytes=256 * 2**20)
    assert dataset is None
    assert any("too large" in str(p) and "300 MiB" in str(p) for p in problems)


PEAK_RSS = (
    "import json, resource, sys; from almaty_map.geodata.dataset import inspect_dataset; "
    "dataset, problems = inspect_dataset(sys.argv[1]); "
    "print(json.dumps({'loaded': dataset is not None, 'problems': [str(p) for p in problems], "
    "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
)


def _inspect_in_child(folder) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_a_broken_file_of_several_hundred_mb_is_reported_without_holding_it(make_dataset):
    """300 MB on disk (real bytes, not sparse): valid features, blank lines, then cut off."""
    baseline = _inspect_in_child(make_dataset())
    folder = make_dataset()
    path = folder / "events.geojson"
    body = path.read_text().rstrip().removesuffix("]}")
    with path.open("w") as handle:
        handle.write(body)
        block = (" " * 1023 + "\n") * 1024
        for _ in range(300):
            handle.write(block)
        handle.write(',\n{"type": "Feature", ')
    last_line = body.count("\n") + 300 * 1024 + 2
    result = _inspect_in_child(folder)
    assert not result["loaded"] and len(result["problems"]) == 1
    problem = result["problems"][0]
    assert problem.startswith("events.geojson: is not valid JSON between line ")
    first, last = (int(n.replace(",", "")) for n in re.findall(r"line ([\d,]+)", problem))
    assert first <= last_line <= last and last - first < 100
    # Reading it whole would cost at least its 300 MB; streaming costs a fraction.
    assert result["peak_mb"] - baseline["peak_mb"] < 200, (result, baseline)


def test_missing_events_file_and_folder(tmp_path):
    _, problems = inspect_dataset(tmp_path / "nope")
    assert "is not a folder" in str(problems[0])
    (tmp_path / "dataset.toml").write_text((DATA / "base" / "dataset.toml").read_text())
    _, problems = inspect_dataset(tmp_path)
    assert any("events.geojson" in str(p) and "not found" in str(p) for p in problems)


def test_precise_claims_without_a_quoted_source_are_warned_about(make_dataset):
    """A precise place, an hour or a figure that rests on no quotation still loads, but the
    report says so for each claim."""
    text = (DATA / "base" / "events.geojson").read_text()
    for claim in ('"time_source": 0, ', '"location_source": 0, ', '"fatalities_source": 0, '):
        text = text.replace(claim, "")
    dataset, problems = inspect_dataset(make_dataset(events=text))
    assert dataset is not None
    warned = {(p.feature_id, p.field) for p in problems if p.severity == "warning"}
    assert warned == {
        ("spans-midnight", "time_source"),
        ("spans-midnight", "location_source"),
        ("after-midnight-local", "time_source"),
        ("after-midnight-local", "location_source"),
        ("after-midnight-local", "fatalities_source"),
        ("home", "location_source"),
    }


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        (None, None),
        (0, {"kind": "exact", "count": 0}),
        (
            {"kind": "at least", "count": 6, "scope": "across Kazakhstan"},
            {"kind": "at least", "count": 6, "scope": "across Kazakhstan"},
        ),
        ({"kind": "range", "min": 5, "max": 10}, {"kind": "range", "min": 5, "max": 10}),
        ({"kind": "unnumbered"}, {"kind": "unnumbered"}),
    ],
)
def test_counts_are_kept_in_one_canonical_form(make_dataset, written, kept):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"fatalities": 2,', f'"fatalities": {json.dumps(written)},')
    if written is None:
        text = text.replace('"fatalities_source": 0, ', "")
    dataset = load_dataset(make_dataset(events=text))
    row = dataset.events.set_index("id").loc["after-midnight-local"]
    value = row["fatalities"]
    assert (json.loads(value) if isinstance(value, str) else None) == kept


@pytest.mark.parametrize(
    "written",
    [
        {"kind": "range", "min": 10, "max": 5},
        {"kind": "at least"},
        {"kind": "about", "count": -1},
        {"kind": "exact", "count": 3, "note": "x"},
        {"kind": "unnumbered", "scope": ""},
        "several",
    ],
)
def test_malformed_counts_are_errors_naming_what_is_wrong(make_dataset, written):
    text = (DATA / "base" / "events.geojson").read_text()
    text = text.replace('"fatalities": 2,', f'"fatalities": {json.dumps(written)},')
    with pytest.raises(DataError) as caught:
        load_dataset(make_dataset(events=text))
    message = str(caught.value)
    assert "feature 1 (id 'after-midnight-local'): field 'fatalities': is not a count" in message


def _with_newline(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('"2022-01-08", "url"', '"2022-01-08\\n", "url"', "sources[0].date"),
        ('"https://example.org/a"', '"https://example.org/a\\n"', "sources[0].url"),
        ('"2022-01-06T23:00:00+06:00"', '"2022-01-06T23:00:00+06:00\\n"', "start"),
    ],
)
def test_a_value_with_a_trailing_newline_does_not_pass_a_pattern(make_dataset, old, new, field):
    """A pattern ending in $ also matches before a final newline; every one must match the
    whole value."""
    text = _with_newline((DATA / "base" / "events.geojson").read_text(), old, new)
    dataset, problems = inspect_dataset(make_dataset(events=text))
    assert dataset is None
    assert any(p.field == field and p.feature_id == "spans-midnight" for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('id = "protest"', 'id = "protest\\n"', "categories[0].id"),
        ('colour = "#0072B2"', 'colour = "#0072B2\\n"', "categories[0].colour"),
        ("start = 2022-01-07", 'start = "2022-01-07\\n"', "periods[1].start"),
    ],
)
def test_a_metadata_value_with_a_trailing_newline_is_refused(make_dataset, old, new, field):
    toml = _with_newline((DATA / "base" / "dataset.toml").read_text(), old, new)
    dataset, problems = inspect_dataset(make_dataset(toml=toml))
    assert dataset is None
    assert any(p.field == field for p in problems), problems


def _base_with(old: str, new: str, padding: int = 0) -> str:
    text = (DATA / "base" / "events.geojson").read_text()
    assert old in text
    return text.replace(old, new).replace('"features": [', '"features": [' + " " * padding, 1)


SHOTS = "after-midnight-local"


@pytest.mark.parametrize("padding", [0, 300_000])  # the second: past the parser's first reads
@pytest.mark.parametrize(
    ("old", "new", "field", "feature_id"),
    [
        ('"Shots after midnight"', '"Shots \\ud800after midnight"', "title", SHOTS),
        ('"title": "Shots"', '"title": "Shots \\udc00"', "sources[0].title", SHOTS),
        ('"actors": []', '"actors": ["a\\udbff"]', "actors[0]", SHOTS),
        ('"actors": []', '"x\\ud83d": 1, "actors": []', "x\ufffd", SHOTS),
        ('"id": "after-midnight-local"', '"id": "after\\ud800"', "id", None),
    ],
)
def test_a_lone_surrogate_is_an_error_naming_the_field(
    make_dataset, old, new, field, feature_id, padding
):
    dataset, problems = inspect_dataset(make_dataset(events=_base_with(old, new, padding)))
    assert dataset is None
    [problem] = [p for p in problems if p.severity == "error"]
    assert "lone UTF-16 surrogate" in problem.message
    assert (problem.index, problem.field, problem.feature_id) == (1, field, feature_id)


def test_surrogate_pairs_and_escaped_backslashes_are_text(make_dataset):
    text = _base_with('"Shots after midnight"', '"Shots \\ud83d\\ude00 \\\\ud800 \\uD83D\\uDE00"')
    dataset, problems = inspect_dataset(make_dataset(events=text))
    assert dataset is not None, problems
    title = dataset.events.set_index("id").loc["after-midnight-local", "title"]
    assert title == "Shots \U0001f600 \\ud800 \U0001f600"
