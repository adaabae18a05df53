"""A reviewer publishes a submitted revision: a new version readers, the API and the exports
see at once (a running app reloads on the notification), with a correction in the log; a
draft is never seen; only a different reviewer or an admin may decide."""

from __future__ import annotations

import datetime as dt
import time
import tomllib

import orjson
import psycopg
import pytest
from sqlalchemy import select

from almaty_map.app import create_app
from almaty_map.database.connect import database_url, libpq_conninfo
from almaty_map.database.schema import (
    CHANNEL,
    audit_log,
    revisions,
    slice_cells,
    tile_cells,
    tile_slices,
    versions,
)
from almaty_map.database.tilecells import rebuild
from almaty_map.database.tileslices import rebuild_slices
from almaty_map.desk.errors import FieldError, Forbidden, WrongState
from almaty_map.desk.listing import desk_events
from almaty_map.desk.publishing import publish, send_back
from almaty_map.desk.revisions import save_draft, submit
from almaty_map.geodata.metadata import read_metadata
from tests.conftest import DATA, stop_listening
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db
CORRECTED = "Rally through the night, corrected"
REASON = "correction: the rally was on Republic Square"
ITEM = "/ogc/collections/events/items/spans-midnight"
SIX_HOURS = dt.timedelta(hours=6)


@pytest.fixture
def desk(database):
    engine = base_loaded(database)
    with transaction(engine) as connection:
        people = {
            "editor": person(connection, "Aigerim", "editor"),
            "reviewer": person(connection, "Saule", "reviewer"),
            "admin": person(connection, "Marat", "admin"),
        }
    yield database, engine, people
    engine.dispose()


def submitted(engine, people, title: str = CORRECTED, who: str = "editor"):
    """A revision of spans-midnight with a new title, in review."""
    feature = base_feature("spans-midnight")
    feature["properties"]["title"] = title
    with transaction(engine) as connection:
        draft = save_draft(connection, "spans-midnight", feature, None, people[who])
        return submit(connection, draft.id, REASON, people[who], source=CITED)


def item_title(client) -> str:
    return orjson.loads(client.get(ITEM).data)["properties"]["title"]


def wait_for(condition, what: str, timeout: float = 10.0) -> float:
    """Seconds until ``condition`` held."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if condition():
            return time.monotonic() - began
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


def test_an_editor_cannot_publish_nor_a_reviewer_their_own(desk):
    _, engine, people = desk
    revision = submitted(engine, people)
    with transaction(engine) as connection, pytest.raises(Forbidden, match="reviewer"):
        publish(connection, revision.id, people["editor"], None)
    with transaction(engine) as connection, pytest.raises(Forbidden, match="reviewer"):
        send_back(connection, revision.id, people["editor"], "no")
    own = submitted_by_reviewer(engine, people)
    with transaction(engine) as connection, pytest.raises(Forbidden, match="your own"):
        publish(connection, own.id, people["reviewer"], None)
    with transaction(engine) as connection:
        assert connection.execute(select(versions.c.number)).scalars().all() == [1]


def submitted_by_reviewer(engine, people):
    feature = base_feature("home")
    feature["properties"]["title"] = "A flat"
    with transaction(engine) as connection:
        draft = save_draft(connection, "home", feature, None, people["reviewer"])
        return submit(connection, draft.id, "the flat", people["reviewer"], source=CITED)


def test_a_draft_is_never_seen_and_a_publication_is_seen_by_a_running_app(desk):
    url, engine, people = desk
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        wait_for(app.extensions["almaty_map_listen"].listening.is_set, "the app listening")
        revision = submitted(engine, people)
        time.sleep(1.5)  # a draft announces nothing; give a wrong reload time to happen
        assert item_title(client) == "Rally through the night"
        assert CORRECTED.encode() not in client.get("/download.geojson").data
        with transaction(engine) as connection:
            number = publish(connection, revision.id, people["reviewer"], "checked")
        seconds = wait_for(lambda: item_title(client) == CORRECTED, "the correction served")
        assert seconds < 2.0
        assert number == 2
        page = client.get("/").data.decode()
        assert REASON in page and CORRECTED in page
        assert CORRECTED.encode() in client.get("/download.geojson").data
        record = app.extensions["almaty_map"].dataset.corrections[0]
        assert (record.event, record.reason) == ("spans-midnight", REASON)
        assert record.change == "Changed title."
    finally:
        stop_listening(app)


def test_a_publication_is_a_new_version_announced_on_the_channel(desk):
    url, engine, people = desk
    revision = submitted(engine, people)
    with psycopg.connect(libpq_conninfo(database_url(url)), autocommit=True) as listening:
        listening.execute(f"LISTEN {CHANNEL}")
        with transaction(engine) as connection:
            number = publish(connection, revision.id, people["admin"], None)
        heard = next(listening.notifies(timeout=5, stop_after=1))
    assert heard.payload == str(number)
    with transaction(engine) as connection:
        row = connection.execute(select(versions).where(versions.c.number == number)).one()
        states = connection.execute(select(revisions.c.state, revisions.c.reviewer_id)).all()
        audit = connection.execute(select(audit_log.c.action, audit_log.c.actor)).all()
        listed = {e.event_id: e.status for e in desk_events(connection)}
    assert row.source == "desk" and row.event_count == 3
    assert tomllib.loads(row.dataset_toml)["version"] == "0.2"
    assert row.diff["changed"] == {
        "spans-midnight": {"title": {"old": "Rally through the night", "new": CORRECTED}}
    }
    assert row.diff["dataset"] == {"version": {"old": "0.1", "new": "0.2"}}
    assert row.diff["unchanged"] == 2
    assert row.whole_counts["span"][0] == 3
    (entry,) = tomllib.loads(row.corrections_toml)["corrections"]
    assert entry["event"] == "spans-midnight" and entry["reason"] == REASON
    assert entry["source"] == CITED  # what the editor cited, not a source of the event
    assert states == [("published", people["admin"].id)]
    assert ("submit", "Aigerim") in audit and ("publish", "Marat") in audit
    assert listed["spans-midnight"] == "published"


def test_a_second_publication_supersedes_the_first(desk):
    _, engine, people = desk
    first = submitted(engine, people)
    with transaction(engine) as connection:
        publish(connection, first.id, people["reviewer"], None)
    feature = base_feature("spans-midnight")
    feature["properties"]["title"] = "Third title"
    with transaction(engine) as connection:
        draft = save_draft(connection, "spans-midnight", feature, 1, people["editor"])
        submit(connection, draft.id, "again", people["editor"], source=CITED)
        number = publish(connection, draft.id, people["reviewer"], None)
        states = dict(connection.execute(select(revisions.c.number, revisions.c.state)).all())
        corrections = connection.execute(
            select(versions.c.corrections_toml).where(versions.c.number == number)
        ).scalar_one()
    assert states == {1: "superseded", 2: "published"}
    assert len(tomllib.loads(corrections)["corrections"]) == 2


def test_send_back_needs_a_comment_and_returns_the_revision_for_more_work(desk):
    _, engine, people = desk
    revision = submitted(engine, people)
    for comment in ("", " ", None, "x" * 501, "\x00"):
        with transaction(engine) as connection, pytest.raises(FieldError):
            send_back(connection, revision.id, people["reviewer"], comment)
    with transaction(engine) as connection:
        returned = send_back(connection, revision.id, people["reviewer"], "cite the decree")
    assert (returned.state, returned.review_comment, returned.reviewer) == (
        "returned",
        "cite the decree",
        "Saule",
    )
    with transaction(engine) as connection, pytest.raises(WrongState):
        publish(connection, revision.id, people["reviewer"], None)
    with transaction(engine) as connection:
        again = submit(connection, revision.id, "decree cited", people["editor"], source=CITED)
        assert again.state == "in_review"
        publish(connection, revision.id, people["reviewer"], None)


def test_a_new_event_is_published_after_the_others(desk):
    _, engine, people = desk
    feature = base_feature("home")
    feature["properties"]["id"] = "new-event"
    feature["properties"]["start"] = "2022-01-07T12:00:00+06:00"
    feature["properties"]["end"] = "2022-01-07T13:00:00+06:00"
    with transaction(engine) as connection:
        draft = save_draft(connection, None, feature, None, people["editor"])
        submit(connection, draft.id, "a new event", people["editor"], source=CITED)
        number = publish(connection, draft.id, people["reviewer"], None)
        row = connection.execute(select(versions).where(versions.c.number == number)).one()
    assert row.event_count == 4
    assert [f["id"] for f in row.diff["added"]] == ["new-event"]
    assert tomllib.loads(row.corrections_toml or "").get("corrections") is None


def test_the_cells_a_publication_refreshes_are_those_a_full_rebuild_makes(desk):
    """Only the cells the event left and entered are rebuilt, at every zoom; the table
    must then hold what rebuilding every cell gives."""
    _, engine, people = desk
    moved = base_feature("after-midnight-local")
    moved["geometry"]["coordinates"] = [77.05, 43.30]  # another cell at zoom 12 and below
    moved["properties"]["category"] = "protest"
    with transaction(engine) as connection:
        draft = save_draft(connection, "after-midnight-local", moved, 0, people["editor"])
        submit(connection, draft.id, "moved", people["editor"], source=CITED)
        publish(connection, draft.id, people["reviewer"], None)
    with transaction(engine) as connection:
        refreshed = cells(connection)
        rebuild(connection)
        assert cells(connection) == refreshed
    assert ("after-midnight-local", "protest") in {(row[7], row[3]) for row in refreshed}
    assert ("after-midnight-local", "violence") not in {(row[7], row[3]) for row in refreshed}


def cells(connection) -> list[tuple]:
    columns = [c for c in tile_cells.c if c.name != "geom"]
    rows = connection.execute(select(*columns, tile_cells.c.geom.ST_AsText())).all()
    return sorted(tuple(row) for row in rows)


def test_a_publication_regroups_the_stored_days_the_event_left_and_entered(desk):
    """A day's tile read from cells that still hold the event where it was would show it
    there: the days it left and entered are regrouped where it was and is, so every day
    stays stored (its tiles read from cells) and holds exactly what a full rebuild gives."""
    _, engine, people = desk
    with engine.connect() as connection:
        before = days(connection)
        held = day_cells(connection, before)
    moved = base_feature("after-midnight-local")
    moved["properties"]["start"] = "2022-01-05T12:00:00+06:00"
    with transaction(engine) as connection:
        draft = save_draft(connection, "after-midnight-local", moved, 0, people["editor"])
        submit(connection, draft.id, "moved to the 5th", people["editor"], source=CITED)
        publish(connection, draft.id, people["reviewer"], None)
    with transaction(engine) as connection:
        kept = days(connection)
        stored = day_cells(connection, kept)
        rebuild_slices(connection, read_metadata(DATA / "base")[0])
        assert day_cells(connection, kept) == stored
        connection.rollback()
    assert {"2022-01-07", "2022-01-05"} <= set(before), before  # it was on the 7th, local
    assert set(kept) == set(before)
    assert zoom_0_count(stored["2022-01-05"]) == zoom_0_count(held["2022-01-05"]) + 1
    assert zoom_0_count(stored["2022-01-07"]) == zoom_0_count(held["2022-01-07"]) - 1


def zoom_0_count(rows: list[tuple]) -> int:
    """The events a day's cells hold (its zoom 0 cells' counts: zoom, …, n)."""
    return sum(row[6] for row in rows if row[0] == 0)


def days(connection) -> dict[str, int]:
    """The stored days by their local date (the base dataset's zone is UTC+6)."""
    rows = connection.execute(select(tile_slices.c.start, tile_slices.c.number)).all()
    return {(start + SIX_HOURS).date().isoformat(): number for start, number in rows}


def day_cells(connection, numbered: dict[str, int]) -> dict[str, list[tuple]]:
    """Each day's cells, keyed by its date (rebuilding numbers the days anew)."""
    now = days(connection)
    out = {}
    for date in numbered:
        columns = [c for c in slice_cells.c if c.name not in ("geom", "slice")]
        rows = connection.execute(
            select(*columns, slice_cells.c.geom.ST_AsText()).where(slice_cells.c.slice == now[date])
        ).all()
        out[date] = sorted(tuple(row) for row in rows)
    return out


def test_a_reviewer_cannot_publish_a_change_they_wrote_part_of(desk):
    """A reviewer's draft with an editor's small save on top is still, mostly, the
    reviewer's words: another reviewer or an admin publishes it."""
    _, engine, people = desk
    feature = base_feature("spans-midnight")
    feature["properties"]["title"] = CORRECTED
    with transaction(engine) as connection:
        first = save_draft(connection, "spans-midnight", feature, None, people["reviewer"])
        feature["properties"]["description"] = "A comma moved."
        second = save_draft(connection, "spans-midnight", feature, first.number, people["editor"])
        submit(connection, second.id, REASON, people["editor"], source=CITED)
    with transaction(engine) as connection, pytest.raises(Forbidden, match="revision 1"):
        publish(connection, second.id, people["reviewer"], None)
    with transaction(engine) as connection:
        assert publish(connection, second.id, people["admin"], None) > 1
