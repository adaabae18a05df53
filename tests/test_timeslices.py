"""Slices are half-open and local: an event belongs to every slice it overlaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.timeslices import MAX_SLICES, SlicingError, make_slices, membership


@pytest.fixture
def small(make_dataset):
    return load_dataset(make_dataset())


def slices_of(dataset, by):
    slices = make_slices(dataset.meta, dataset.start_ns, dataset.end_ns, by)
    first, last = membership(slices, dataset.start_ns, dataset.end_ns)
    return slices, {
        eid: [slices[k].start.strftime("%Y-%m-%d") for k in range(a, b + 1)] if a >= 0 else []
        for eid, a, b in zip(dataset.events["id"], first, last, strict=True)
    }


def test_day_slices_are_local_midnights(small):
    slices, _ = slices_of(small, "day")
    assert [str(s.start) for s in slices] == [
        "2022-01-05 00:00:00+06:00",
        "2022-01-06 00:00:00+06:00",
        "2022-01-07 00:00:00+06:00",
    ]
    assert all(s.end - s.start == pd.Timedelta(days=1) for s in slices)


def test_event_spanning_midnight_is_in_both_days(small):
    _, days = slices_of(small, "day")
    assert days["spans-midnight"] == ["2022-01-06", "2022-01-07"]


def test_slice_edge_is_almaty_time_not_utc(small):
    # 2022-01-06T18:30Z is 00:30 on 7 January in Almaty (UTC+6 in 2022).
    _, days = slices_of(small, "day")
    assert days["after-midnight-local"] == ["2022-01-07"]


def test_event_ending_at_midnight_stays_in_its_day(small):
    _, days = slices_of(small, "day")
    assert days["home"] == ["2022-01-05"]


def test_periods_and_gaps(small):
    slices, periods = slices_of(small, "period")
    assert [s.label for s in slices] == ["Before", "After"]
    assert periods["spans-midnight"] == ["2022-01-05", "2022-01-07"]
    outside = make_slices(small.meta, small.start_ns, small.end_ns, "period")[:1]
    first, last = membership(
        outside,
        np.array([pd.Timestamp("2022-01-08", tz="UTC").value]),
        np.array([pd.Timestamp("2022-01-08T01:00", tz="UTC").value]),
    )
    assert first[0] == -1 and last[0] == -1


def test_instant_at_midnight_belongs_to_the_new_day_only(small):
    slices, _ = slices_of(small, "day")
    midnight = pd.Timestamp("2022-01-07T00:00:00+06:00").value
    first, last = membership(slices, np.array([midnight]), np.array([midnight + 1]))
    assert str(slices[first[0]].start.date()) == "2022-01-07" and first[0] == last[0]


def test_weeks_start_on_monday_and_months_on_the_first(small):
    weeks = make_slices(small.meta, small.start_ns, small.end_ns, "week")
    assert [str(s.start.date()) for s in weeks] == ["2022-01-03"]
    months = make_slices(small.meta, small.start_ns, small.end_ns, "month")
    assert [(str(s.start.date()), str(s.end.date())) for s in months] == [
        ("2022-01-01", "2022-02-01")
    ]


def test_slices_are_clipped_to_the_filter(small):
    lo = pd.Timestamp("2022-01-06T00:00:00+06:00")
    slices = make_slices(small.meta, small.start_ns, small.end_ns, "day", (lo, None))
    assert str(slices[0].start.date()) == "2022-01-06"
    periods = make_slices(
        small.meta,
        small.start_ns,
        small.end_ns,
        "period",
        (pd.Timestamp("2022-01-07T12:00+06:00"), None),
    )
    assert [p.label for p in periods] == ["After"]


def test_too_many_slices_is_an_error(small):
    start = np.array([pd.Timestamp("1900-01-01", tz="UTC").value])
    end = np.array([pd.Timestamp("2022-01-01", tz="UTC").value])
    with pytest.raises(SlicingError, match=f"at most {MAX_SLICES:,}"):
        make_slices(small.meta, start, end, "day")


def test_bundled_periods_hold_every_almaty_event(bundled):
    slices, periods = slices_of(bundled, "period")
    assert len(slices) == 6
    assert all(periods.values()), [k for k, v in periods.items() if not v]
    assert periods["2022-01-06-republic-square-shooting"] == ["2022-01-06"]
