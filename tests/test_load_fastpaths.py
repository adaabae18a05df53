"""The whole-column ways of building the Dataset give what the row-by-row ways they replaced
gave: the same problems on the broken fixtures, the same frames on the valid ones.

Each old way is kept here as the reference, patched back in for one load and compared
with the new way's load of the same folder.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pytest

from almaty_map.geodata import acled, compact, eventsummary
from almaty_map.geodata.checks import fields
from almaty_map.geodata.checks import sources as sources_check
from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.dataset import inspect_dataset
from almaty_map.geodata.model import EVENT_FIELDS
from almaty_map.geodata.readers.files import read_features
from almaty_map.geodata.readers.table import MISSING
from harness.synthetic import write_acled_dataset, write_dataset
from tests.conftest import DATA

BROKEN = sorted((DATA / "broken-events").glob("*.geojson"))


def _old_order(start: pd.Series, ids: pa.Array) -> np.ndarray:
    return (
        pd.DataFrame({"start": start.array.asi8, "id": ids.to_pylist()})
        .sort_values(["start", "id"], kind="stable")
        .index.to_numpy()
    )


def _old_categorical(values: pa.Array, categories: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical(values.to_pylist(), categories=categories)


def _old_titles(frame: pd.DataFrame, named: set[str]) -> dict[str, str]:
    return {i: t for i, t in zip(frame["id"], frame["title"], strict=True) if i in named}


def _old_json_texts(rep: Reporter, values: list, field: str) -> list[str | None]:
    out: list[str | None] = []
    failed = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if value is None or value is MISSING:
            out.append(None)
            continue
        try:
            out.append(orjson.dumps(value).decode())
        except orjson.JSONEncodeError:
            failed[i] = True
            out.append(None)
    rep.rows(
        failed,
        field,
        "nests too deeply to be kept",
        "at most 254 levels of nested lists and objects",
    )
    return out


def _old_ways(monkeypatch) -> None:
    monkeypatch.setattr(compact, "_start_id_order", _old_order)
    monkeypatch.setattr(compact, "_categorical", _old_categorical)
    monkeypatch.setattr(eventsummary, "_titles", _old_titles)
    monkeypatch.setattr(fields, "json_texts", _old_json_texts)


def _both(folder, monkeypatch) -> tuple[tuple, tuple]:
    new = inspect_dataset(folder)
    with monkeypatch.context() as patch:
        _old_ways(patch)
        old = inspect_dataset(folder)
    return new, old


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.stem)
def test_broken_fixtures_are_reported_as_before(fixture, make_dataset, monkeypatch):
    (dataset, problems), (old_dataset, old_problems) = _both(
        make_dataset(events=fixture), monkeypatch
    )
    assert problems == old_problems
    assert (dataset is None) == (old_dataset is None)


def _assert_same_dataset(new, old) -> None:
    assert new is not None and old is not None
    pd.testing.assert_frame_equal(new.events, old.events, check_exact=True)
    for name in ("category", "time_precision", "geo_precision"):
        assert new.events[name].dtype == old.events[name].dtype
    assert new.whole == old.whole
    assert new.warnings == old.warnings


@pytest.mark.parametrize(
    "folder",
    [DATA / "base", DATA / "hostile", DATA / "tables" / "every-field"],
    ids=lambda p: p.name,
)
def test_valid_fixtures_give_the_same_dataset(folder, monkeypatch):
    (new, _), (old, _) = _both(folder, monkeypatch)
    _assert_same_dataset(new, old)


@pytest.mark.parametrize("write", [write_dataset, write_acled_dataset], ids=["geojson", "acled"])
def test_a_synthetic_dataset_gives_the_same_dataset(write, tmp_path, monkeypatch):
    write(3000, tmp_path)
    (new, _), (old, _) = _both(tmp_path, monkeypatch)
    _assert_same_dataset(new, old)


def test_ids_sort_as_python_strings_do_with_ties_in_file_order():
    ids = ["b", "a", "Z", "é", "z", "a\U0001f600", "a\uffff", "a", "", "e\u0301"]
    start = pd.Series(pd.to_datetime([1, 1, 1, 1, 1, 1, 1, 0, 1, 1], unit="D", utc=True))
    order = compact._start_id_order(start, pa.array(ids))
    assert order.tolist() == _old_order(start, pa.array(ids)).tolist()
    assert [ids[i] for i in order[1:]] == sorted(ids[:7] + ids[8:])


@pytest.mark.filterwarnings("ignore:Constructing a Categorical")  # the old way's, not ours
def test_codes_outside_the_categories_become_null_as_before():
    values = pa.array(["week", None, "fortnight", "day", "day"])
    new = compact._categorical(values, ("day", "week"))
    old = _old_categorical(values, ("day", "week"))
    assert new.dtype == old.dtype
    assert new.codes.tolist() == old.codes.tolist() == [1, -1, -1, 0, 0]


def test_corrected_titles_are_picked_as_before():
    frame = pd.DataFrame(
        {"id": pd.array(["e1", "e2", "e3"], dtype="str"), "title": ["one", "two", "three"]}
    )
    for named in (set(), {"e2"}, {"e3", "e1", "gone"}):
        new = eventsummary._titles(frame, named)
        assert list(new.items()) == list(_old_titles(frame, named).items())


def test_one_value_too_deep_falls_back_to_reporting_it():
    deep: object = "x"
    for _ in range(300):
        deep = [deep]
    values = [[1], None, MISSING, deep, {"a": "b"}]

    def report() -> Reporter:
        return Reporter(
            "events.geojson", [f"e{i}" for i in range(5)], np.ones(5, bool), np.zeros(5, bool)
        )

    new_rep, old_rep = report(), report()
    assert fields.json_texts(new_rep, values, "extra") == ["[1]", None, None, None, '{"a":"b"}']
    assert _old_json_texts(old_rep, values, "extra") == ["[1]", None, None, None, '{"a":"b"}']
    assert new_rep.problems == old_rep.problems
    assert [p.field for p in new_rep.problems] == ["extra"]


def test_a_lookalike_member_only_in_the_last_source_is_found_in_arrow_too(monkeypatch):
    plain = {"publication": "p", "title": "t", "date": "2022-01-05", "quote": "q"}
    values = [[plain]] * 500 + [[plain, {**plain, "qoute": "typo", "nte": None}]]

    def problems() -> list:
        rep = Reporter("events.geojson", [f"e{i}" for i in range(len(values))], *_live(values))
        sources_check.sources(rep, values)
        return rep.problems

    in_arrow = problems()
    monkeypatch.setattr(sources_check, "_as_text_table", lambda items: None)
    assert in_arrow == problems()
    assert [(p.index, p.field) for p in in_arrow] == [(500, "sources[1].qoute")]


def _live(values: list) -> tuple[np.ndarray, np.ndarray]:
    return np.ones(len(values), dtype=bool), np.zeros(len(values), dtype=bool)


@pytest.mark.parametrize(
    "path",
    [
        DATA / "tables" / "team" / "team-sheet.csv",
        DATA / "tables" / "team" / "team-sheet.xlsx",
        DATA / "tables" / "acled" / "acled-almaty.csv",
    ],
    ids=lambda p: p.name,
)
def test_extra_properties_made_a_chunk_at_a_time_are_those_of_the_whole_table(path):
    whole = [t.extras for t in read_features(path, EVENT_FIELDS, chunk_size=10**9).chunks]
    rows = [e for t in read_features(path, EVENT_FIELDS, chunk_size=2).chunks for e in t.extras]
    assert len(whole) == 1 and rows == whole[0]
    assert any(rows), "the fixture has extra properties to compare"


def _old_timestamp_dates(values: list) -> list:
    text = pd.Series(values, dtype=object)
    digits = text.str.fullmatch(r"\d+", na=False).astype(bool)
    seconds = pd.to_numeric(text.where(digits), errors="coerce")
    days = pd.to_datetime(seconds, unit="s", errors="coerce").dt.strftime("%Y-%m-%d")
    return days.astype(object).where(digits & days.notna(), None).tolist()


def test_acled_timestamps_written_once_per_day_read_as_before():
    odd = ["1643000000", "x", None, "", "99999999999999999999", "-5", "0", "1643000000.5"]
    odd += ["٣٤", "1643086399", "1643086400", " 12", "253402300800", "253402300799"]
    for values in (odd, [], [None], [str(1643000000 + 997 * i) for i in range(2000)]):
        assert acled._timestamp_dates(values) == _old_timestamp_dates(values)


def test_acled_values_kept_as_objects_as_before():
    values = [[1, 2], [3, 4], {"a": 1}, None, "x", 1.5, [[]]]
    for column in (values, [[1, 2], [3, 4]], []):
        new, old = acled._objects(column), pd.Series(column, dtype=object).array
        assert type(new) is type(old) and new.dtype == old.dtype
        assert new.tolist() == old.tolist() == column
