"""A publication moves the version's stored figures by its one event instead of counting
every event again: the whole counts (span, box, slice pairs, summary), the cells of all
times and the cells of each stored day must still be exactly what a full recount gives,
whatever the edit moves (category, day, cell, sensitivity, the box's edge, the span's
end), also when two reviewers publish at the same moment; and a publication reads its
event's rows, not the table."""

from __future__ import annotations

import datetime as dt
import threading
import time

import orjson
import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, func, select, text

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import events, slice_cells, tile_cells, tile_slices, versions
from almaty_map.database.tilecells import rebuild
from almaty_map.database.tileslices import rebuild_slices
from almaty_map.database.wholecounts import count_whole
from almaty_map.desk.accounts import Account
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import (
    latest_revision,
    published_feature,
    revision_by_id,
    save_draft,
    submit,
)
from almaty_map.geodata.metadata import Metadata, read_metadata
from harness.synthetic import write_dataset
from tests.conftest import loaded_database
from tests.deskrows import CITED, person, transaction

pytestmark = pytest.mark.db
EVENTS = 3000


@pytest.fixture
def synthetic(database, tmp_path):
    """A database holding EVENTS synthetic events (ten days round Almaty, day cells
    built), an editor and two reviewers, and the dataset's metadata."""
    folder = write_dataset(EVENTS, tmp_path / "synthetic")
    loaded_database(database, folder)
    engine = open_engine(database)
    with transaction(engine) as connection:
        people = {
            "editor": person(connection, "Aigerim", "editor"),
            "reviewer": person(connection, "Saule", "reviewer"),
            "second": person(connection, "Dana", "reviewer"),
        }
    yield engine, people, read_metadata(folder)[0]
    engine.dispose()


def submitted(engine: Engine, event_id: str, editor: Account, edit) -> int:
    """A revision of ``event_id`` changed by ``edit`` (the properties and the geometry),
    submitted: its id. None for a new event, whose feature ``edit`` returns."""
    with transaction(engine) as connection:
        feature = published_feature(connection, event_id)
        if feature is None:
            feature, target, base = edit(), None, None
        else:
            edit(feature["properties"], feature["geometry"])
            latest = latest_revision(connection, event_id)
            target, base = event_id, latest.number if latest else None
        draft = save_draft(connection, target, feature, base, editor)
        assert hasattr(draft, "id"), draft
        return submit(connection, draft.id, "moved for the test", editor, source=CITED).id


def inner_event(connection: Connection, skip: tuple[str, ...] = ()) -> str:
    """A point event away from every edge: in the middle days, inside the box."""
    middle = events.c.start.between(
        dt.datetime.fromisoformat("2022-01-04T00:00+06:00"),
        dt.datetime.fromisoformat("2022-01-07T00:00+06:00"),
    )
    inside = func.ST_Within(events.c.geom, func.ST_MakeEnvelope(76.90, 43.21, 76.96, 43.27, 4326))
    query = select(events.c.id).where(
        middle,
        inside,
        events.c.geo_precision == "exact",
        events.c.sensitive.is_(False),
        events.c.id.not_in(skip),
    )
    return connection.execute(query.order_by(events.c.position).limit(1)).scalar_one()


def shifted(value: str, days: int) -> str:
    return (pd.Timestamp(value) + pd.Timedelta(days=days)).isoformat()


def stored_figures(connection: Connection) -> tuple[dict, list, dict]:
    """The newest version's whole counts, the cells of all times, each stored day's
    cells (keyed by its times: a rebuild numbers the days anew)."""
    whole = connection.execute(
        select(versions.c.whole_counts).order_by(versions.c.number.desc()).limit(1)
    ).scalar_one()
    columns = [c for c in tile_cells.c if c.name != "geom"]
    cells = sorted(map(tuple, connection.execute(select(*columns, tile_cells.c.geom.ST_AsText()))))
    days = {}
    for number, start, end in connection.execute(select(tile_slices)).all():
        kept = [c for c in slice_cells.c if c.name not in ("geom", "slice")]
        rows = connection.execute(
            select(*kept, slice_cells.c.geom.ST_AsText()).where(slice_cells.c.slice == number)
        )
        days[(start, end)] = sorted(map(tuple, rows))
    return whole, cells, days


def assert_as_recounted(engine: Engine, meta: Metadata, loaded_days: set, step: str) -> None:
    """Every stored figure equals what the load's own functions count from every event;
    the stored days are still those the load made (each equal to its rebuild)."""
    with engine.connect() as connection, connection.begin():
        whole, cells, days = stored_figures(connection)
        recounted = orjson.loads(orjson.dumps(count_whole(connection, meta)))
        rebuild(connection)
        rebuild_slices(connection, meta)
        _, rebuilt_cells, rebuilt_days = stored_figures(connection)
        connection.rollback()
    assert whole == recounted, step
    assert cells == rebuilt_cells, step
    assert set(days) == loaded_days, step
    for key, rows in days.items():
        assert rows == rebuilt_days[key], f"{step}: the day from {key[0]}"


def test_each_publication_leaves_the_figures_a_full_recount_gives(synthetic):
    engine, people, meta = synthetic
    with engine.connect() as connection:
        loaded_days = set(stored_figures(connection)[2])
        moved = inner_event(connection)
        other = inner_event(connection, skip=(moved,))
        westmost = connection.execute(
            select(events.c.id).order_by(func.ST_X(events.c.geom), events.c.position).limit(1)
        ).scalar_one()
        new_start = connection.execute(select(func.max(events.c.start))).scalar_one()
    assert len(loaded_days) >= 10

    def category(p, g):
        p["category"] = "custody" if p["category"] != "custody" else "memory"

    def day(p, g):
        p["start"] = shifted(p["start"], 2)
        if p.get("end") is not None:
            p["end"] = shifted(p["end"], 2)

    def cell(p, g):
        g["coordinates"] = [g["coordinates"][0] + 0.01, g["coordinates"][1] - 0.005]

    def sensitive(p, g):
        p["sensitive"] = True

    def all_at_once(p, g):
        category(p, g), day(p, g), cell(p, g), sensitive(p, g)

    def off_the_edge(p, g):
        g["coordinates"] = [76.93, 43.24]

    def new_event():
        feature = published_feature_copy(engine, moved)
        feature["id"] = "new-beyond-the-end"
        feature["properties"].update(
            id="new-beyond-the-end",
            start=(pd.Timestamp(new_start) + pd.Timedelta(days=3)).isoformat(),
            end=None,
            sensitive=False,
        )
        feature["geometry"]["coordinates"] = [77.045, 43.155]  # widens the box too
        return feature

    steps = [
        ("category", moved, category),
        ("day", moved, day),
        ("cell", moved, cell),
        ("sensitive", moved, sensitive),
        ("all at once", other, all_at_once),
        ("off the box's edge", westmost, off_the_edge),
        ("a new event past the span's end", "new-beyond-the-end", lambda: new_event()),
    ]
    for step, event_id, edit in steps:
        revision = submitted(engine, event_id, people["editor"], edit)
        with transaction(engine) as connection:
            publish(connection, revision, people["reviewer"], None)
        assert_as_recounted(engine, meta, loaded_days, step)


def published_feature_copy(engine: Engine, event_id: str) -> dict:
    with engine.connect() as connection:
        return published_feature(connection, event_id)


def test_two_reviewers_publishing_at_once_keep_the_figures_right(synthetic):
    """The second publication waits for the first to commit, then moves the figures the
    first left: neither change is lost from the counts or the cells."""
    engine, people, meta = synthetic
    with engine.connect() as connection:
        loaded_days = set(stored_figures(connection)[2])
        first = inner_event(connection)
        second = inner_event(connection, skip=(first,))
    revisions = {
        first: submitted(
            engine, first, people["editor"], lambda p, g: p.update(start=shifted(p["start"], 2))
        ),
        second: submitted(
            engine,
            second,
            people["editor"],
            lambda p, g: g.update(coordinates=[g["coordinates"][0] - 0.02, 43.25]),
        ),
    }
    first_published = threading.Event()
    waited: list[float] = []
    failures: list[BaseException] = []

    def reviewing(event_id: str, reviewer: Account, first_one: bool) -> None:
        try:
            with transaction(engine) as connection:
                revision_by_id(connection, revisions[event_id])  # as the review page reads it
                if not first_one:
                    first_published.wait(10)
                began = time.monotonic()
                publish(connection, revisions[event_id], reviewer, None)
                if first_one:
                    first_published.set()
                    time.sleep(1.0)  # still uncommitted while the other one publishes
                else:
                    waited.append(time.monotonic() - began)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
            first_published.set()

    threads = [
        threading.Thread(target=reviewing, args=(first, people["reviewer"], True)),
        threading.Thread(target=reviewing, args=(second, people["second"], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert waited and waited[0] > 0.5, "the second publication did not wait for the first"
    with engine.connect() as connection:
        numbers = connection.execute(select(versions.c.number).order_by(versions.c.number))
        assert list(numbers.scalars()) == [1, 2, 3]
    assert_as_recounted(engine, meta, loaded_days, "two at once")


def test_a_publication_reads_its_event_not_every_event(synthetic):
    """The figures are moved from the event's own rows and the indexes' ends: a full
    recount reads every event (three passes); here no event is read but through an
    index (its row, the ends of time, the events of the cells it left and entered)."""
    engine, people, _ = synthetic
    with engine.connect() as connection:
        event_id = inner_event(connection)
    revision = submitted(
        engine, event_id, people["editor"], lambda p, g: p.update(category="memory")
    )
    with transaction(engine) as connection:
        publish(connection, revision, people["reviewer"], None)
        read = connection.execute(
            text(
                "SELECT seq_scan, seq_tup_read, coalesce(idx_tup_fetch, 0) "
                "FROM pg_stat_xact_user_tables WHERE relname = 'events'"
            )
        ).one()
    scans, sequential, fetched = read
    said = f"read {sequential} events in {scans} sequential scans, {fetched} by index"
    assert scans == 0 and sequential == 0, said
    assert fetched < EVENTS // 2, said
