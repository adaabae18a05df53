"""How a shape filter's page is read from the database: sized by a sample of the version held
in memory, then walked in time order or gathered from its box, whichever reads less.

The sample counts with the files' own filter code, so at one in one it counts exactly what
the files keep; at one in ten it stays near. Whichever plan is chosen, a page holds exactly
what memory's page holds; each plan's switches hold for the request's transaction only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pytest
import shapely
from sqlalchemy import event, func, select

import almaty_map.database.sample as sample_module
import almaty_map.database.source as source_module
from almaty_map.database.backend import PostgisBackend
from almaty_map.database.connect import DatabaseUnavailableError
from almaty_map.database.cql2space import COARSENED_WITHIN
from almaty_map.database.readplan import read_by, walks
from almaty_map.database.sample import EventSample, Sizes
from almaty_map.database.schema import events
from almaty_map.database.selection import ORDER
from almaty_map.database.source import PostgisSource
from almaty_map.geodata.cql2spacetime import box_around
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.filtering import select as memory_select
from almaty_map.geodata.model import SENSITIVE_GRID_DEG
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.geodata.source import MemorySource
from tests.conftest import MAX_BYTES, loaded_database, new_database

TRIANGLE = "POLYGON((76.90 43.22, 76.96 43.22, 76.93 43.27, 76.90 43.22))"
DAYS = "T_INTERSECTS(interval, INTERVAL('2022-01-04', '2022-01-06'))"
WEEK = "T_DURING(interval, INTERVAL('2022-01-03', '2022-01-07'))"
CIRCLE = "S_DWITHIN(geometry, POINT(76.93 43.25), 1500, meters)"
# The triangle's eight strips: the band between heights i/8 and (i+1)/8 of it holds its
# sides' points from i/8 of the way to the apex, the base's width less 2 * 0.03 * i/8.
TRIANGLE_STRIPS = [
    (76.90 + 0.03 * i / 8, 43.22 + 0.05 * i / 8, 76.96 - 0.03 * i / 8, 43.22 + 0.05 * (i + 1) / 8)
    for i in range(8)
]
# Each filter, the boxes it brings to the GiST index, the box a walk is kept to (its place's
# box widened by how far a sensitive event may be shown from its shape) and its times
# alone, written by hand.
HALF_CELL, CELL = COARSENED_WITHIN, SENSITIVE_GRID_DEG
CIRCLE_BOX = box_around(shapely.Point(76.93, 43.25), 1500)
SHAPES = [
    (
        QueryText(filter=f"S_INTERSECTS(geometry, {TRIANGLE})"),
        TRIANGLE_STRIPS,
        (76.90 - HALF_CELL, 43.22 - HALF_CELL, 76.96 + HALF_CELL, 43.27 + HALF_CELL),
        None,
    ),
    (
        QueryText(filter=f"S_INTERSECTS(geometry, {TRIANGLE}) AND {DAYS}"),
        TRIANGLE_STRIPS,
        (76.90 - HALF_CELL, 43.22 - HALF_CELL, 76.96 + HALF_CELL, 43.27 + HALF_CELL),
        QueryText(filter=DAYS),
    ),
    (
        QueryText(filter=f"{CIRCLE} AND {WEEK}"),
        [CIRCLE_BOX],
        (
            CIRCLE_BOX[0] - HALF_CELL,
            CIRCLE_BOX[1] - HALF_CELL,
            CIRCLE_BOX[2] + HALF_CELL,
            CIRCLE_BOX[3] + HALF_CELL,
        ),
        QueryText(filter=WEEK),
    ),
    (
        QueryText(
            filter="S_WITHIN(geometry, BBOX(76.90, 43.20, 76.95, 43.26))", start="2022-01-05"
        ),
        [(76.90, 43.20, 76.95, 43.26)],
        (76.90 - HALF_CELL, 43.20 - HALF_CELL, 76.95 + HALF_CELL, 43.26 + HALF_CELL),
        QueryText(start="2022-01-05"),
    ),
    (
        QueryText(bbox="76.88,43.20,76.96,43.27", categories=("protest", "unrest")),
        [(76.88, 43.20, 76.96, 43.27)],
        (76.88 - CELL, 43.20 - CELL, 76.96 + CELL, 43.27 + CELL),
        None,
    ),
    (
        QueryText(bbox="76.90,43.20,76.95,43.26", filter="deaths_min >= 1 OR category = 'memory'"),
        [(76.90, 43.20, 76.95, 43.26)],
        (76.90 - CELL, 43.20 - CELL, 76.95 + CELL, 43.26 + CELL),
        None,
    ),
]
# Texts the sample does not hold: left to the planner, read right all the same.
UNSIZED = [
    QueryText(bbox="76.92,43.23,76.94,43.25", q="police"),
    QueryText(filter=f"S_INTERSECTS(geometry, {TRIANGLE}) AND description LIKE '%police%'"),
    QueryText(filter=f"{CIRCLE} AND publications LIKE '%Gazette%'"),
]
EMPTY = '{"type":"Polygon","coordinates":[]}'
# Filters at the edges: across the antimeridian, a circle wider than the Earth, a
# polygon in another CRS, a version's events none of which are near.
EDGES = [
    QueryText(bbox="170,-10,-170,10"),
    QueryText(filter="S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))"),
    QueryText(filter="S_DWITHIN(geometry, POINT(76.93 43.25), 30000000, meters)"),
    QueryText(
        filter="S_INTERSECTS(geometry, POLYGON((8560468.8 5345518.3, 8567148.0 5345518.3, "
        "8563808.4 5353159.3, 8560468.8 5345518.3)))",
        filter_crs="http://www.opengis.net/def/crs/EPSG/0/3857",
    ),
    QueryText(filter="S_DWITHIN(geometry, POINT(0 0), 1, meters) AND id = 'nowhere'"),
    # Polygons whose strips cannot be cut: too tall for their height to be a number, empty.
    QueryText(filter="S_INTERSECTS(geometry, POLYGON((0 -1e308, 1 -1e308, 0.5 1e308, 0 -1e308)))"),
    *(
        QueryText(filter_lang="cql2-json", filter=text)
        for text in (
            f'{{"op":"s_intersects","args":[{{"property":"geometry"}},{EMPTY}]}}',
            f'{{"op":"not","args":[{{"op":"s_intersects","args":[{{"property":"geometry"}},{EMPTY}]}}]}}',
            f'{{"op":"s_within","args":[{EMPTY},{{"property":"geometry"}}]}}',
        )
    ),
]
TEXTS = [text for text, _, _, _ in SHAPES] + UNSIZED + EDGES


def _filter(dataset, text: QueryText) -> EventFilter:
    query = read_query(dataset.meta, text)
    assert not query.problems, query.problems
    return query.filter


def _ids(selected) -> list[str]:
    return list(selected.dataset.events["id"].to_numpy()[selected.positions])


@contextmanager
def _sample_reads(engine) -> Iterator[list[str]]:
    """The sample's reads while the block runs (its statement leaves the texts out)."""
    reads: list[str] = []

    def seen(connection, cursor, statement, parameters, context, executemany):
        if "AS description" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.mark.parametrize(("text", "gathered", "walked", "times"), SHAPES, ids=str)
def test_a_whole_sample_counts_what_the_files_keep(synthetic, text, gathered, walked, times):
    flt = _filter(synthetic, text)
    days = memory_select(synthetic, _filter(synthetic, times or QueryText()))
    met = np.logical_or.reduce([synthetic.event_boxes.within(b) for b in gathered])
    boxed = np.intersect1d(days, np.flatnonzero(met))
    near = np.intersect1d(days, np.flatnonzero(synthetic.event_boxes.within(walked)))
    sizes = EventSample(synthetic, 1).sizes(flt)
    kept = len(memory_select(synthetic, flt))
    assert sizes == Sizes(kept=kept, days=len(days), near=len(near), boxed=len(boxed))
    assert 0 < sizes.kept <= sizes.boxed <= sizes.near <= sizes.days <= 5000


def test_a_filter_without_a_box_or_on_unread_texts_is_left_to_the_planner(synthetic):
    sample = EventSample(synthetic, 1)
    for text in (
        *UNSIZED,
        QueryText(),
        QueryText(categories=("protest",), start="2022-01-05"),
        QueryText(filter="deaths_min >= 1 OR S_INTERSECTS(geometry, POINT(76.9 43.2))"),
        QueryText(filter=f"S_DISJOINT(geometry, {TRIANGLE})"),
    ):
        assert sample.sizes(_filter(synthetic, text)) is None


def test_a_sample_of_one_in_ten_stays_within_its_error(synthetic):
    tenth = dataclasses.replace(synthetic, events=synthetic.events.iloc[::10])
    sample, whole = EventSample(tenth, 10), EventSample(synthetic, 1)
    for text in TEXTS[:4]:
        flt = _filter(synthetic, text)
        near, exact = sample.sizes(flt), whole.sizes(flt)
        for name in ("kept", "days", "boxed"):
            got, want = getattr(near, name), getattr(exact, name)
            assert got % 10 == 0
            # Three standard deviations of a count of one in ten.
            assert abs(got - want) <= 3 * math.sqrt(10 * want) + 10, (text, name, got, want)


def test_a_walk_is_chosen_when_the_wanted_events_come_soon_in_time():
    # A wide box over every day, most of whose events pass: the first 101 come at once.
    assert walks(Sizes(kept=50_000, days=300_000, near=60_000, boxed=60_000), 101)
    # A triangle in a busy place, one in thirteen of the events near it passing: a walk
    # reads 13 events near it for each one it keeps, and passes the others in the index.
    assert walks(Sizes(kept=1_300, days=300_000, near=17_000, boxed=9_000), 101)
    # The same with fewer passing than wanted: a walk reads every event near it, a
    # gather only those in its strips.
    assert not walks(Sizes(kept=90, days=300_000, near=17_000, boxed=9_000), 101)
    # Counting every one of them reads all the days however many pass.
    assert not walks(Sizes(kept=50_000, days=300_000, near=60_000, boxed=60_000), 10**9)
    # Half pass, but the days are many more than the events near the place: passing them
    # in the index costs more than gathering the place's events.
    assert not walks(Sizes(kept=400, days=1_000_000, near=800, boxed=800), 101)


@pytest.fixture(scope="module")
def served(postgres, synthetic_folder) -> PostgisSource:
    _, url = new_database(postgres)
    loaded_database(url, synthetic_folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    assert isinstance(source, PostgisSource)
    return source


@pytest.mark.parametrize("walk", [True, False], ids=["walked", "gathered"])
@pytest.mark.parametrize("cap", [20, 2000], ids=["counted-above", "counted"])
@pytest.mark.parametrize("text", TEXTS, ids=str)
def test_either_plan_reads_the_page_memory_reads(served, synthetic, monkeypatch, text, walk, cap):
    monkeypatch.setattr(source_module, "walks", lambda sizes, wanted: walk)
    flt = _filter(synthetic, text)
    expected = _ids(MemorySource(synthetic).select(flt))
    source = PostgisSource(served.engine, served.dataset, count_cap=cap)
    for offset, limit in ((0, 7), (5, 100), (max(len(expected) - 2, 0), 10)):
        page = source.page(flt, offset, limit)
        assert _ids(page) == expected[offset : offset + limit]
        assert page.matched in (None, len(expected))


def test_each_plan_s_switches_shape_the_plan_for_its_transaction_only(served):
    box = func.ST_MakeEnvelope(76.90, 43.20, 76.95, 43.26, 4326)
    query = select(events.c.position).where(events.c.geom.op("&&")(box)).order_by(*ORDER)
    query = query.limit(101)

    def plan(connection) -> str:
        explained = connection.exec_driver_sql(
            "EXPLAIN " + str(query.compile(connection, compile_kwargs={"literal_binds": True}))
        )
        return "\n".join(row[0] for row in explained)

    with served.engine.connect() as connection:
        with connection.begin():
            read_by(connection, walk=True)
            walked = plan(connection)
        with connection.begin():
            read_by(connection, walk=False)
            gathered = plan(connection)
        with connection.begin():
            afterwards = connection.execute(select(func.current_setting("enable_sort"))).scalar()
    assert "Bitmap" not in walked and "Sort" not in walked and "Index Scan" in walked
    # Gathered: by a bitmap or the whole table (this one is small), then sorted.
    assert "Sort" in gathered and "Index Scan" not in gathered.replace("Bitmap Index Scan", "")
    assert afterwards == "on"


@pytest.mark.parametrize(
    "text",
    [
        QueryText(filter=f"S_INTERSECTS(geometry, {TRIANGLE}) AND {DAYS}"),
        QueryText(filter=f"{CIRCLE} AND {WEEK}"),
        QueryText(bbox="76.88,43.20,76.96,43.27", start="2022-01-05"),
    ],
    ids=str,
)
def test_a_walk_passes_the_events_far_from_the_place_inside_the_index(
    served, synthetic, monkeypatch, text
):
    """The place's box goes to a walk as conditions on the walk index's last columns
    (answered on its entries, before any event is read); a gather is not given them."""
    flt = _filter(synthetic, text)
    source = PostgisSource(served.engine, served.dataset)
    plans = {}
    for walk in (True, False):
        monkeypatch.setattr(source_module, "walks", lambda sizes, wanted, walk=walk: walk)
        with served.engine.connect() as connection, connection.begin():
            sizes = source._sizes(connection, flt)
            where = source._condition(connection, flt).where
            chosen = source_module._read_by(connection, flt, where, sizes, 101)
            query = select(events.c.position).where(chosen).order_by(*ORDER).limit(101)
            compiled = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
            explained = connection.exec_driver_sql("EXPLAIN " + compiled)
            plans[walk] = "\n".join(row[0] for row in explained)
    walked = [line for line in plans[True].splitlines() if "Index Cond" in line]
    assert "events_start_id" in plans[True] and any("st_xmax" in line for line in walked)
    assert "st_xmax" not in plans[False] and "Bitmap" in plans[False]


@pytest.mark.parametrize("size", [1000, 10_000])
def test_the_sample_is_read_once_for_a_version(served, synthetic, monkeypatch, size):
    """Once, and one event in ``stride`` of the whole version (not of the head the server
    keeps, which holds none)."""
    monkeypatch.setattr(sample_module, "SAMPLE_SIZE", size)
    source = PostgisSource(served.engine, served.dataset)
    with _sample_reads(served.engine) as reads:
        for text in TEXTS:
            flt = _filter(synthetic, text)
            expected = _ids(MemorySource(synthetic).page(flt, 0, 10))
            assert _ids(source.page(flt, 0, 10)) == expected
    assert len(reads) == 1
    held = source._sample[0].dataset.events
    assert len(held) == min(size, 5000)
    assert (held["description"] == "").all()


def test_a_version_without_events_is_sized_and_read_as_empty(postgres, make_dataset):
    folder = make_dataset(events='{"type": "FeatureCollection", "features": []}')
    _, url = new_database(postgres)
    loaded_database(url, folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    flt = _filter(source.dataset, QueryText(filter=f"{CIRCLE} AND {WEEK}"))
    page = source.page(flt, 0, 10)
    assert (len(page.positions), page.matched) == (0, 0)
    assert source._sample[0].sizes(flt) == Sizes(kept=0, days=0, near=0, boxed=0)


def test_a_connection_lost_while_the_sample_is_read_is_unavailable_and_the_next_reads_it(
    postgres, synthetic_folder, synthetic
):
    name, url = new_database(postgres)
    loaded_database(url, synthetic_folder)
    backend = PostgisBackend(url, MAX_BYTES, whole=False)
    source = backend.source(backend.load())
    flt = _filter(synthetic, TEXTS[2])
    cut = []

    def lose(connection, cursor, statement, parameters, context, executemany):
        if "AS description" in statement and not cut:
            cut.append(statement)
            postgres.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )

    event.listen(backend.engine, "before_cursor_execute", lose)
    try:
        with pytest.raises(DatabaseUnavailableError):
            source.page(flt, 0, 10)
        assert cut and source._sample == []  # nothing half-read is kept
        page = source.page(flt, 0, 10)
    finally:
        event.remove(backend.engine, "before_cursor_execute", lose)
        backend.engine.dispose()
    assert _ids(page) == _ids(MemorySource(synthetic).page(flt, 0, 10))
    assert len(source._sample) == 1


def test_requests_arriving_together_read_the_sample_once(served, synthetic):
    source = PostgisSource(served.engine, served.dataset)
    flts = [_filter(synthetic, text) for text in TEXTS[:4]] * 2
    with _sample_reads(served.engine) as reads, ThreadPoolExecutor(len(flts)) as pool:
        pages = list(pool.map(lambda flt: source.page(flt, 0, 10), flts))
    assert len(reads) == 1
    for flt, page in zip(flts, pages, strict=True):
        assert _ids(page) == _ids(MemorySource(synthetic).page(flt, 0, 10))
