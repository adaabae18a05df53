"""The corrections log: read, checked against the events, and shown to readers."""

from __future__ import annotations

import datetime as dt

import pytest

from almaty_map.geodata.dataset import inspect_dataset, load_dataset
from almaty_map.geodata.timeslices import make_slices
from almaty_map.language.texts import texts_for
from almaty_map.maprender.build import MapSpec
from almaty_map.maprender.payload import payload_bytes

LOG = """
[[corrections]]
date = 2026-11-01
event = "home"
change = "Earlier change."
reason = "Because."
source = "Test Gazette"

[[corrections]]
date = 2026-11-30
event = "spans-midnight"
change = "The rally ends at 01:00."
reason = "The source says so."
source = "Test Gazette, 8 January 2022"
"""


def test_corrections_are_read_newest_first(make_dataset):
    folder = make_dataset()
    (folder / "corrections.toml").write_text(LOG, encoding="utf-8")
    dataset = load_dataset(folder)
    assert [c.date for c in dataset.corrections] == [dt.date(2026, 11, 30), dt.date(2026, 11, 1)]
    assert dataset.corrections[0].event == "spans-midnight"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('event = "spans-midnight"', "field 'corrections[1].event': names no event"),
        ("date = 2026-11-30", "field 'corrections[1].date': is not a date"),
        ('change = "The rally ends at 01:00."', "field 'corrections[1].change': is missing"),
    ],
)
def test_a_broken_log_is_reported_with_the_entry(make_dataset, change, expected):
    folder = make_dataset()
    broken = {
        'event = "spans-midnight"': 'event = "no-such-event"',
        "date = 2026-11-30": 'date = "yesterday"',
        'change = "The rally ends at 01:00."': "",
    }[change]
    (folder / "corrections.toml").write_text(LOG.replace(change, broken), encoding="utf-8")
    dataset, problems = inspect_dataset(folder)
    assert dataset is None
    assert any(expected in str(p) and p.file == "corrections.toml" for p in problems), problems


def test_the_map_carries_the_log_in_the_readers_language(make_dataset):
    folder = make_dataset()
    (folder / "corrections.toml").write_text(LOG, encoding="utf-8")
    dataset = load_dataset(folder)
    slices = make_slices(dataset.meta, dataset.start_ns, dataset.end_ns, "period")
    payload = payload_bytes(dataset, range(3), slices, texts_for("ru"), MapSpec().options)
    assert "30 ноября 2026".encode() in payload.drawing
    assert b"The rally ends at 01:00." in payload.drawing
