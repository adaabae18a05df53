"""The sources check in Arrow's loops (every member text or null) reports exactly what the
value-by-value check reports, on the broken fixtures and on crafted citations."""

from __future__ import annotations

import numpy as np
import pytest

from almaty_map.geodata.checks import sources as sources_check
from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.dataset import inspect_dataset
from tests.conftest import DATA

LONG = "word " * 400
CITATIONS = [
    [{"publication": "ACLED", "title": "t", "date": "2022-01-05", "quote": "q"}],
    [{"title": "no publication", "date": "2022"}],
    [{"publication": "  ", "title": "", "date": "2022-1"}],
    [{"publication": "p", "title": "t", "date": "2022-01-05\n"}],
    [{"publication": "p", "title": "t", "date": None, "url": "ftp://example.org"}],
    [{"publication": "p", "title": "t", "date": "2022", "url": "HTTPS://EXAMPLE.ORG/a"}],
    [{"publication": "p", "title": "t", "date": "2022", "url": "http://a\u00a0b"}],
    [{"publication": "p", "title": "t", "date": "2022", "quote": LONG, "note": ""}],
    [{"publication": "p", "title": "t", "date": "2022", "publiction": "typo"}],
    ["not an object", {"publication": "p", "title": "t", "date": "2022-01"}],
    [],
    None,
]


def _problems(values: list, vectorised: bool, monkeypatch) -> list:
    if not vectorised:
        monkeypatch.setattr(sources_check, "_as_text_table", lambda items: None)
    rep = Reporter("events.geojson", [f"e{i}" for i in range(len(values))], *_masks(values))
    sources_check.sources(rep, values)
    monkeypatch.undo()
    return rep.problems


def _masks(values: list) -> tuple[np.ndarray, np.ndarray]:
    return np.ones(len(values), dtype=bool), np.zeros(len(values), dtype=bool)


def test_crafted_citations_are_checked_in_arrow_and_reported_alike(monkeypatch):
    items = [s for v in CITATIONS if v for s in v]
    assert sources_check._as_text_table([s if type(s) is dict else {} for s in items])
    vectorised = _problems(CITATIONS, True, monkeypatch)
    assert vectorised == _problems(CITATIONS, False, monkeypatch)
    fields = {p.field for p in vectorised}
    assert {"sources[0].publication", "sources[0].date", "sources[0].url"} <= fields
    assert {"sources[0].quote", "sources[0].publiction", "sources[0]", "sources"} <= fields


def test_a_member_that_is_not_text_is_checked_value_by_value(monkeypatch):
    values = [[{"publication": "p", "title": "t", "date": 2022}]]
    assert sources_check._as_text_table(values[0]) is None
    problems = _problems(values, True, monkeypatch)
    assert [(p.field, p.found) for p in problems] == [("sources[0].date", "2022")]


@pytest.mark.parametrize(
    "fixture", sorted((DATA / "broken-events").glob("*.geojson")), ids=lambda p: p.stem
)
def test_broken_fixtures_are_reported_alike(fixture, make_dataset, monkeypatch):
    folder = make_dataset(events=fixture)
    vectorised = inspect_dataset(folder)[1]
    monkeypatch.setattr(sources_check, "_as_text_table", lambda items: None)
    assert inspect_dataset(folder)[1] == vectorised
