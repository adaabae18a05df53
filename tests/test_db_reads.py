"""Selecting in SQL: the database's served source keeps exactly the events memory keeps.

A server on the database holds the version's head only (no events) and selects each
request's events in PostGIS. Every filter the query readers make (times, categories, boxes,
text, CQL2) is checked against the in-memory selection of the same files, page by page,
with numberMatched exact below the count limit and left out above it, never wrong.
"""

from __future__ import annotations

import math

import pytest
from sqlalchemy import event, literal, select
from sqlalchemy import text as sql_text

from almaty_map.database.backend import PostgisBackend
from almaty_map.database.connect import DatabaseUnavailableError
from almaty_map.database.schema import events
from almaty_map.database.source import PostgisSource, _estimate
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.geodata.source import MemorySource
from tests.conftest import MAX_BYTES, loaded_database, new_database

QUERIES = [
    QueryText(),
    QueryText(start="2022-01-05", end="2022-01-07"),
    QueryText(datetime="2022-01-06T10:00:00Z/.."),
    QueryText(datetime="../2022-01-04T03:30:00.5Z"),
    QueryText(datetime="2022-01-08T00:00:00+06:00"),
    QueryText(categories=("protest", "custody")),
    QueryText(bbox="76.90,43.20,76.93,43.24"),
    # A sensitive event is shown (and selected) at the centre of its cell, not where it is.
    QueryText(bbox="76.9249,43.2649,76.9251,43.2651"),
    QueryText(bbox="76.925,43.265,76.93,43.27"),
    QueryText(bbox="170,-10,-170,10"),
    QueryText(q="police"),
    QueryText(q="POLICE"),
    QueryText(q="50%"),
    QueryText(q="aBaY sTrEeT"),
    QueryText(q="protest", categories=("unrest",), bbox="76.88,43.20,76.96,43.27"),
    QueryText(filter="deaths_min >= 1 AND geo_precision <> 'city'"),
    QueryText(filter="NOT (deaths_min > 2)"),
    QueryText(filter="category = 'custody' AND sensitive = true"),
    QueryText(filter="S_INTERSECTS(geometry, BBOX(76.90, 43.20, 76.93, 43.24))"),
    QueryText(filter="S_DWITHIN(geometry, POINT(76.9458 43.2380), 500, meters)"),
    QueryText(
        filter="T_DURING(interval, INTERVAL('2022-01-04', '2022-01-10')) AND actors LIKE '%police%'"
    ),
    QueryText(filter="category IN ('protest', 'memory') OR publications LIKE '%Gazette%'"),
    QueryText(filter="T_INTERSECTS(interval, DATE('2022-01-06')) AND deaths_min > 0"),
    QueryText(filter="T_CONTAINS(INTERVAL('2022-01-05T10:00:00Z', '..'), interval)"),
    QueryText(filter="T_EQUALS(interval, TIMESTAMP('2022-01-05T13:37:00Z')) OR id = 'ev-000001'"),
    QueryText(filter="title LIKE 'Police%'", start="2022-01-06", bbox="76.88,43.20,76.96,43.27"),
]


@pytest.fixture(scope="module")
def synthetic_database(postgres, synthetic_folder) -> str:
    _, url = new_database(postgres)
    loaded_database(url, synthetic_folder)
    return url


@pytest.fixture(scope="module")
def served(synthetic_database) -> PostgisSource:
    backend = PostgisBackend(synthetic_database, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    assert isinstance(source, PostgisSource)
    return source


def _filter(dataset, text: QueryText):
    query = read_query(dataset.meta, text)
    assert not query.problems, query.problems
    return query.filter


def _ids(selected) -> list[str]:
    return list(selected.dataset.events["id"].to_numpy()[selected.positions])


def test_a_served_version_holds_no_event_until_asked(served, synthetic):
    assert len(served.dataset.events) == 0
    assert served.dataset.whole.count == len(synthetic.events) == 5000
    assert served.dataset.meta.category_ids == synthetic.meta.category_ids
    bounds = served.dataset.whole.bounds
    assert bounds == pytest.approx(tuple(synthetic.events.total_bounds))


@pytest.mark.parametrize(
    "text", QUERIES, ids=lambda q: repr({k: v for k, v in vars(q).items() if v})[:60]
)
def test_every_filter_selects_what_memory_selects(served, synthetic, text):
    flt = _filter(synthetic, text)
    expected = _ids(MemorySource(synthetic).select(flt))
    assert _ids(served.select(flt)) == expected
    for offset, limit in ((0, 7), (5, 100), (len(expected) - 1, 3)):
        page = served.page(flt, max(offset, 0), limit)
        assert _ids(page) == expected[max(offset, 0) : max(offset, 0) + limit]
        assert page.matched in (None, len(expected))


def test_pages_write_the_bytes_memory_writes(served, synthetic):
    from almaty_map.geodata.formats import csv_chunks, geojson_chunks

    flt = _filter(synthetic, QueryText(bbox="76.90,43.20,76.95,43.26", q="street"))
    memory, database = MemorySource(synthetic).page(flt, 10, 50), served.page(flt, 10, 50)
    for write in (geojson_chunks, csv_chunks):
        got = list(write(database.dataset, database.positions))
        assert got == list(write(memory.dataset, memory.positions))
    sensitive = synthetic.events[synthetic.events["sensitive"]]["id"].iloc[0]
    feature = served.feature(sensitive)
    found = feature.dataset.events.geometry.iloc[0]
    assert found.equals(synthetic.events.geometry.iloc[synthetic.position_by_id[sensitive]])


def test_number_matched_is_exact_below_the_limit_and_left_out_above(
    synthetic_database, served, synthetic
):
    few = PostgisSource(served.engine, served.dataset, count_cap=50)
    small = _filter(synthetic, QueryText(bbox="76.940,43.230,76.945,43.235"))
    large = _filter(synthetic, QueryText(categories=("protest",)))
    expected_small = len(MemorySource(synthetic).select(small).positions)
    assert 0 < expected_small <= 50
    assert few.page(small, 0, 5).matched == expected_small
    assert few.page(large, 0, 5).matched is None
    assert served.page(large, 0, 5).matched == len(MemorySource(synthetic).select(large).positions)
    last = few.page(large, 0, 10**6)  # the last page is counted for free
    assert last.matched == len(last.positions) > 50
    assert few.page(_filter(synthetic, QueryText()), 0, 5).matched == 5000


def test_a_page_past_the_cap_searches_its_events_once(served, synthetic):
    """The planner expects fewer events than the cap, the probe finds more but not too many
    more: the page comes from the rows it read, rather than a second search for them. (No
    box: a box's filter is sized by the sample, exactly at this size.)"""
    text = QueryText(categories=("protest", "custody"), start="2022-01-04", end="2022-01-09")
    flt = _filter(synthetic, text)
    expected = _ids(MemorySource(synthetic).select(flt))
    with served.engine.connect() as connection:
        estimate = _estimate(connection, served._condition(connection, flt).where)
    cap = max(math.ceil(estimate), (len(expected) + 1) // 2)
    assert cap < len(expected) <= 2 * cap  # past the cap, within the probe's reach
    few = PostgisSource(served.engine, served.dataset, count_cap=cap)
    searches = []

    def searched(connection, cursor, statement, parameters, context, executemany):
        if "category IN" in statement and not statement.startswith("EXPLAIN"):
            searches.append(statement)

    event.listen(served.engine, "before_cursor_execute", searched)
    try:
        page = few.page(flt, 5, 20)
    finally:
        event.remove(served.engine, "before_cursor_execute", searched)
    assert _ids(page) == expected[5:25]
    assert page.matched is None
    assert len(searches) == 1
    last = few.page(flt, len(expected) - 3, 20)
    assert (_ids(last), last.matched) == (expected[-3:], len(expected))


# Written in by SQLAlchemy, a text pattern's "%" is doubled (the driver's escape for its
# placeholders), so EXPLAIN of such a statement plans another pattern: the estimate before
# this construct did, and those filters have no written-in reference here.
WRITTEN_IN_FAITHFULLY = [t for t in QUERIES if t.q is None and "LIKE" not in (t.filter or "")]


@pytest.mark.parametrize("text", WRITTEN_IN_FAITHFULLY, ids=str)
def test_the_estimate_is_the_planner_s_for_the_filter_s_values(served, synthetic, text):
    """The estimate's EXPLAIN is compiled once per filter's shape and sent its values as
    parameters: it must give what EXPLAIN of the query with its values written in gives,
    the first time and from SQLAlchemy's cache."""
    flt = _filter(synthetic, text)
    with served.engine.connect() as connection:
        where = served._condition(connection, flt).where
        query = select(literal(1)).select_from(events).where(where)
        written = query.compile(connection, compile_kwargs={"literal_binds": True})
        plan = connection.execute(sql_text(f"EXPLAIN (FORMAT JSON) {written}")).scalar_one()
        expected = float(plan[0]["Plan"]["Plan Rows"])
        assert [_estimate(connection, where) for _ in range(2)] == [expected, expected]


def test_count_up_to_stops_at_the_cap(served, synthetic):
    flt = _filter(synthetic, QueryText(categories=("protest",)))
    every = len(MemorySource(synthetic).select(flt).positions)
    assert served.count_up_to(flt, 10) == 10
    assert served.count_up_to(flt, every + 5) == every == served.total(flt)


def test_a_database_gone_during_a_request_is_unavailable(postgres):
    name, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    assert len(source.page(_filter(source.dataset, QueryText()), 0, 3).positions) == 3
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    with pytest.raises(DatabaseUnavailableError, match="did not answer"):
        source.page(_filter(source.dataset, QueryText(q="police")), 0, 3)
    backend.engine.dispose()


def test_text_is_found_in_any_case_in_any_script(postgres, make_dataset):
    """ILIKE in the database folds case as the files' search does, Cyrillic included."""
    import orjson

    folder = make_dataset()
    collection = orjson.loads((folder / "events.geojson").read_bytes())
    collection["features"][0]["properties"]["title"] = "Митинг на площади Республики"
    collection["features"][1]["properties"]["actors"] = ["ПОЛИЦИЯ Алматы"]
    (folder / "events.geojson").write_bytes(orjson.dumps(collection))
    name, url = new_database(postgres)
    loaded_database(url, folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    memory = MemorySource(load_dataset(folder))
    for words in ("МИТИНГ", "площади", "полиция", "алматы", "republic"):
        flt = _filter(memory.dataset, QueryText(q=words))
        expected = _ids(memory.select(flt))
        assert expected and _ids(source.select(flt)) == expected, words
    backend.engine.dispose()
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_box_of_no_width_finds_the_shapes_through_it(postgres, make_dataset):
    """A box of zero width or height is a point or a line: a line or polygon crossing it is
    in it on both backends (GEOS alone calls a collapsed envelope empty)."""
    import orjson

    folder = make_dataset()
    collection = orjson.loads((folder / "events.geojson").read_bytes())
    plain = [f for f in collection["features"] if not f["properties"].get("sensitive")]
    plain[0]["geometry"] = {"type": "LineString", "coordinates": [[76.95, 43.20], [76.95, 43.30]]}
    ring = [[76.94, 43.24], [76.96, 43.24], [76.96, 43.26], [76.94, 43.26], [76.94, 43.24]]
    plain[1]["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    (folder / "events.geojson").write_bytes(orjson.dumps(collection))
    name, url = new_database(postgres)
    loaded_database(url, folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    memory = MemorySource(load_dataset(folder))
    crossing = {plain[0]["properties"]["id"], plain[1]["properties"]["id"]}
    for bbox in ("76.95,43.25,76.95,43.25", "76.90,43.25,77.00,43.25", "76.95,43.21,76.95,43.29"):
        flt = _filter(memory.dataset, QueryText(bbox=bbox))
        expected = _ids(memory.select(flt))
        assert crossing <= set(expected), bbox
        assert _ids(source.select(flt)) == expected, bbox
    backend.engine.dispose()
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_rows_become_the_frame_the_files_loader_builds(postgres, make_dataset):
    """The stored rows are made into the events frame without being checked again: every
    column (sensitive shapes coarsened, times in the dataset's zone, JSON text, a polygon,
    no description, extra properties) is the one loading the files gives."""
    import orjson
    from geopandas.testing import assert_geodataframe_equal

    folder = make_dataset()
    collection = orjson.loads((folder / "events.geojson").read_bytes())
    collection["features"][0]["properties"].pop("description", None)
    collection["features"][1]["properties"]["desk_note"] = {"checked": True, "by": ["ab"]}
    ring = [[76.95, 43.25], [76.951, 43.25], [76.951, 43.2515], [76.95, 43.25]]
    plain = next(f for f in collection["features"] if not f["properties"].get("sensitive"))
    plain["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    (folder / "events.geojson").write_bytes(orjson.dumps(collection))
    files = load_dataset(folder)
    assert files.events["sensitive"].any() and files.events["extra"].notna().any()
    assert (files.events.geometry.geom_type == "Polygon").any()
    name, url = new_database(postgres)
    loaded_database(url, folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    whole = source.select(_filter(source.dataset, QueryText())).dataset
    assert_geodataframe_equal(whole.events, files.events, check_less_precise=False)
    assert whole.written.equals(files.written)
    backend.engine.dispose()
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    "change, named",
    [
        ("category = 'riot'", "category 'riot'"),
        ('geometry = \'{"type": "Point", "coordinates": "here"}\'', "geometry of event"),
    ],
)
def test_a_row_changed_by_hand_is_unavailable_not_a_crash(postgres, change, named):
    name, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    first = load_dataset(BUNDLED).events["id"].iloc[0]
    postgres.sql(f"UPDATE events SET {change} WHERE id = '{first}'", name)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    assert source.feature(load_dataset(BUNDLED).events["id"].iloc[1]) is not None
    with pytest.raises(DatabaseUnavailableError, match=named):
        source.feature(first)
    backend.engine.dispose()
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
