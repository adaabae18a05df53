"""Filters by time (overlap, open ends), category, area and text."""

from __future__ import annotations

import pytest

from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.filtering import FilterError, make_filter, select


@pytest.fixture
def small(make_dataset):
    return load_dataset(make_dataset())


def ids(dataset, **kwargs):
    return [dataset.events["id"][i] for i in select(dataset, make_filter(dataset, **kwargs))]


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
    assert ids(small, text="NIGHT") == ["spans-midnight", "after-midnight-local"]
    assert ids(small, text="protesters") == ["spans-midnight"]


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
        ({"start": "yesterday"}, "start", "expected a date"),
        ({"end": "2022-01-06T10:00"}, "end", "UTC offset"),
        ({"start": "2022-01-07", "end": "2022-01-05"}, "end", "must not be before start"),
        ({"categories": ["riot"]}, "category", "expected one of protest, violence"),
        ({"bbox": "1,2,3"}, "bbox", "four numbers"),
        ({"bbox": "1,50,3,40"}, "bbox", "min_lat <= max_lat"),
        ({"bbox": "1,2,3,nan"}, "bbox", "four numbers"),
        ({"bbox": "-200,2,3,4"}, "bbox", "[-180, 180]"),
        ({"text": "x" * 300}, "q", "at most 200"),
    ],
)
def test_bad_values_name_the_parameter(small, kwargs, param, message):
    with pytest.raises(FilterError) as caught:
        make_filter(small, **kwargs)
    assert caught.value.param == param
    assert message in caught.value.message


def test_bundled_query(bundled):
    found = ids(bundled, start="2022-01-06", end="2022-01-06", categories=["lethal-force"])
    assert found == ["2022-01-06-soldiers-shoot-civilians", "2022-01-06-republic-square-shooting"]
