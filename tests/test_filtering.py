"""Filters by time (overlap, open ends), category, area and text, and the one reader of a
query that builds them and names every wrong value."""

from __future__ import annotations

import pytest

from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.filtering import select
from almaty_map.geodata.query import QueryText, read_query


@pytest.fixture
def small(make_dataset):
    return load_dataset(make_dataset())


def read(dataset, **kwargs):
    kwargs["categories"] = tuple(kwargs.get("categories", ()))
    return read_query(dataset.meta, QueryText(**kwargs))


def ids(dataset, **kwargs):
    query = read(dataset, **kwargs)
    assert query.problems == ()
    return [dataset.events["id"][i] for i in select(dataset, query.filter)]


def test_no_filter_keeps_everything_in_time_order(small):
    assert ids(small) == ["home", "spans-midnight", "after-midnight-local"]


def test_date_bounds_are_whole_local_days(small):
    assert ids(small, start="2022-01-07") == ["spans-midnight", "after-midnight-local"]
    assert ids(small, end="2022-01-06") == ["home", "spans-midnight"]
    assert ids(small, start="2022-01-07", end="2022-01-07") == [
        "spans-midnight",
        "after-midnight-local",
    ]


def test_open_intervals(small):
    assert ids(small, start="2022-01-05") == ids(small)
    assert ids(small, end="2022-01-04") == []
    assert ids(small, start="2022-01-08") == []


def test_datetime_bounds_use_overlap(small):
    # The night rally (23:00-01:00) overlaps an interval that starts at 00:15.
    assert "spans-midnight" in ids(small, start="2022-01-07T00:15:00+06:00")
    # An end bound that is an instant includes that instant.
    assert ids(small, start="2022-01-06T18:30:00Z", end="2022-01-06T18:30:00Z") == [
        "spans-midnight",
        "after-midnight-local",
    ]
    # The event ending at 00:00 on 6 January does not overlap 6 January.
    assert "home" not in ids(small, start="2022-01-06")


def test_category_and_text(small):
    assert ids(small, categories=["violence"]) == ["after-midnight-local"]
    assert ids(small, categories=["violence,protest"]) == ids(small)
    assert ids(small, q="NIGHT") == ["spans-midnight", "after-midnight-local"]
    assert ids(small, q="protesters") == ["spans-midnight"]


def test_bbox_uses_the_spatial_index(small):
    assert ids(small, bbox="76.94,43.23,76.96,43.24") == ["spans-midnight"]
    # The sensitive home is only findable at its coarse cell centre, not its real outline.
    assert ids(small, bbox="76.895,43.195,76.905,43.205") == []
    assert ids(small, bbox="76.91,43.21,76.92,43.22") == ["home"]
    # minx > maxx crosses the antimeridian: this box covers everything but 0-170 E.
    assert ids(small, bbox="170,-90,10,90") == []
    assert ids(small, bbox="60,-90,-170,90") == ids(small)


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"start": "yesterday"}, "start", "expected a date (2022-01-06) or"),
        ({"start": "yesterday"}, "start", "for the start, got 'yesterday'"),
        ({"end": "2022-01-06T10:00"}, "end", "UTC offset"),
        ({"end": "2022-01-06T10:00"}, "end", "for the end"),
        ({"start": "2022-01-07", "end": "2022-01-05"}, "end", "must not be before start"),
        ({"categories": ["riot"]}, "category", "expected one of protest, violence, got 'riot'"),
        ({"bbox": "1,2,3"}, "bbox", "expected four numbers"),
        ({"bbox": "1,2,3"}, "bbox", "got 3 values"),
        ({"bbox": "1,50,3,40"}, "bbox", "min_lat 50 is greater than max_lat 40"),
        ({"bbox": "1,2,3,nan"}, "bbox", "max_lat nan is not a finite number"),
        ({"bbox": "1,2,east,4"}, "bbox", "max_lon 'east' is not a number"),
        ({"bbox": "-200,2,3,4"}, "bbox", "longitude -200 (min_lon) is out of range [-180, 180]"),
        ({"bbox": "200,0,10,10"}, "bbox", "longitude 200 (min_lon) is out of range [-180, 180]"),
        ({"bbox": "0,0,10,95"}, "bbox", "latitude 95 (max_lat) is out of range [-90, 90]"),
        ({"q": "x" * 300}, "q", "expected at most 200 characters, got 300"),
        ({"limit": "0"}, "limit", "expected an integer from 1 to 10000, got '0'"),
        ({"offset": "-1"}, "offset", "expected an integer from 0 to 1000000000"),
        ({"datetime": "a/b/c"}, "datetime", "expected an instant or a date, or an interval"),
        ({"datetime": "never/.."}, "datetime", "for the interval's start"),
        ({"datetime": "2022-01-07/2022-01-05"}, "datetime", "end '2022-01-05' is before its"),
    ],
)
def test_bad_values_name_the_parameter_and_say_what_was_expected(small, kwargs, param, message):
    (problem,) = read(small, **kwargs).problems
    assert problem.parameter == param
    assert message in problem.message
    assert problem.expected and problem.found


def test_every_problem_is_reported_at_once_and_the_good_values_still_apply(small):
    query = read(
        small,
        start="yesterday",
        end="2022-01-07",
        categories=["riot,violence", "parade"],
        bbox="200,95,10,10",
        q="night",
    )
    assert [(p.parameter, p.found) for p in query.problems] == [
        ("start", "'yesterday'"),
        ("category", "'riot', 'parade'"),
        ("bbox", "'200,95,10,10'"),
        ("bbox", "'200,95,10,10'"),
    ]
    assert "latitude 95 (min_lat)" in query.problems[3].message
    assert query.filter.start is None and query.filter.bbox is None
    assert query.filter.categories == ("violence",)
    assert [small.events["id"][i] for i in select(small, query.filter)] == ["after-midnight-local"]
    assert read(small, end="2022-01-07").filter.end == query.filter.end


def test_an_end_before_the_start_leaves_the_start(small):
    query = read(small, start="2022-01-07", end="2022-01-05")
    assert query.filter.start is not None and query.filter.end is None


def test_datetime_intervals_read_like_start_and_end(small):
    assert (
        read(small, datetime="2022-01-07").filter
        == read(small, start="2022-01-07", end="2022-01-07").filter
    )
    assert read(small, datetime="2022-01-06/..").filter == read(small, start="2022-01-06").filter
    assert read(small, datetime="../2022-01-06").filter == read(small, end="2022-01-06").filter
    assert read(small, datetime="../..").filter == read(small).filter
    assert read(small, datetime="..").problems[0].parameter == "datetime"


def test_bundled_query(bundled):
    found = ids(bundled, start="2022-01-06", end="2022-01-06", categories=["lethal-force"])
    assert found == ["2022-01-06-soldiers-shoot-civilians", "2022-01-06-republic-square-shooting"]
