"""A `db load` that changes an event while the desk has a revision of it: the revision is
not published over the load, the next one starts from the loaded event and is, and the
history says the load happened. A load that leaves the event alone changes nothing."""

from __future__ import annotations

import shutil

import orjson
import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.desk.errors import WrongState
from almaty_map.desk.history import history, restore
from almaty_map.desk.publishing import publish, send_back
from almaty_map.desk.revisions import published_feature, save_draft, submit
from almaty_map.desk.rounds import loaded_over
from tests.conftest import DATA, stop_listening
from tests.deskhelp import csrf_token, signed_in
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db
EVENT = "spans-midnight"
CORRECTED = "Rally through the night, corrected"
LOADED = "Summary written by the load"


def load(url: str, folder, *extra: str):
    result = CliRunner().invoke(
        cli, ["db", "load", str(folder), "--db", url, "--quiet", *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


def changed_copy(tmp_path, event_id: str, field: str, value: str):
    """tests/data/base with ``field`` of ``event_id`` set to ``value``."""
    target = tmp_path / f"changed-{event_id}-{field}"
    shutil.copytree(DATA / "base", target)
    collection = orjson.loads((target / "events.geojson").read_bytes())
    for feature in collection["features"]:
        if feature["properties"]["id"] == event_id:
            feature["properties"][field] = value
    (target / "events.geojson").write_bytes(orjson.dumps(collection))
    return target


@pytest.fixture
def desk(database):
    """tests/data/base loaded, an editor's title correction of EVENT in review."""
    engine = base_loaded(database)
    feature = base_feature(EVENT)
    feature["properties"]["title"] = CORRECTED
    with transaction(engine) as connection:
        editor = person(connection, "Aigerim", "editor")
        reviewer = person(connection, "Saule", "reviewer")
        draft = save_draft(connection, EVENT, feature, 0, editor)
        submit(connection, draft.id, "the title", editor, source=CITED)
    yield database, engine, draft, editor, reviewer
    engine.dispose()


def stored(engine) -> dict:
    with engine.connect() as connection:
        return published_feature(connection, EVENT)["properties"]


def test_a_revision_started_before_a_load_that_changed_its_event_is_not_published(desk, tmp_path):
    url, engine, draft, _, reviewer = desk
    load(url, changed_copy(tmp_path, EVENT, "description", LOADED))
    with transaction(engine) as connection, pytest.raises(WrongState) as refused:
        publish(connection, draft.id, reviewer, None)
    said = refused.value.message
    assert EVENT in said and "(description)" in said and "db load" in said, said
    assert (stored(engine)["title"], stored(engine)["description"]) == (
        "Rally through the night",
        LOADED,
    )


def test_the_next_draft_starts_from_the_loaded_event_and_is_published(desk, tmp_path):
    url, engine, draft, editor, reviewer = desk
    load(url, changed_copy(tmp_path, EVENT, "description", LOADED))
    with transaction(engine) as connection:
        send_back(connection, draft.id, reviewer, "a load changed the event")
        feature = published_feature(connection, EVENT)
        feature["properties"]["title"] = CORRECTED
        again = save_draft(connection, EVENT, feature, draft.number, editor)
        submit(connection, again.id, "the title, on the loaded event", editor, source=CITED)
        publish(connection, again.id, reviewer, None)
        entries = history(connection, EVENT)
        now = published_feature(connection, EVENT)
        assert loaded_over(connection, EVENT, again.number + 1, now) is None
    assert (stored(engine)["title"], stored(engine)["description"]) == (CORRECTED, LOADED)
    newest = entries[-1]
    assert [(c.field, c.new) for c in newest.changes] == [("title", CORRECTED)]
    assert newest.load is not None and newest.load.version == 2
    assert [(c.field, c.new) for c in newest.load.changes] == [("description", LOADED)]
    assert entries[0].load is None


def test_a_restore_after_the_load_also_starts_from_it(desk, tmp_path):
    url, engine, draft, editor, reviewer = desk
    load(url, changed_copy(tmp_path, EVENT, "description", LOADED))
    with transaction(engine) as connection:
        send_back(connection, draft.id, reviewer, "a load changed the event")
        restored = restore(connection, EVENT, 1, editor, "the title again")
        submit(connection, restored.id, "the title again", editor, source=CITED)
        publish(connection, restored.id, reviewer, None)
        newest = history(connection, EVENT)[-1]
    # Revision 1 is restored as written, which undoes the load's description: not
    # silently, but in the diff against the loaded event that the reviewer published.
    assert restored.after_load == 2
    assert [(c.field, c.old) for c in newest.changes] == [
        ("title", "Rally through the night"),
        ("description", LOADED),
    ]
    assert stored(engine)["title"] == CORRECTED


def test_a_load_that_left_the_event_alone_blocks_nothing(desk, tmp_path):
    url, engine, draft, _, reviewer = desk
    load(url, changed_copy(tmp_path, "home", "description", LOADED))
    with transaction(engine) as connection:
        publish(connection, draft.id, reviewer, None)
        entries = history(connection, EVENT)
    assert stored(engine)["title"] == CORRECTED
    assert [e.load for e in entries] == [None]


def test_a_load_replacing_desk_edits_leaves_open_drafts_explained(desk, tmp_path):
    """Published at the desk, then a further draft in review; the load replaces the
    publication: the draft is refused, and every page says what the load did."""
    url, engine, draft, editor, reviewer = desk
    with transaction(engine) as connection:
        publish(connection, draft.id, reviewer, None)
        feature = published_feature(connection, EVENT)
        feature["properties"]["place"] = "Republic Square, east side"
        further = save_draft(connection, EVENT, feature, draft.number, editor)
        submit(connection, further.id, "the place", editor, source=CITED)
    load(url, DATA / "base", "--replace-desk-edits")
    with transaction(engine) as connection, pytest.raises(WrongState) as refused:
        publish(connection, further.id, reviewer, None)
    assert "(title)" in refused.value.message
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    try:
        client = app.test_client()
        signed_in(client, url, "reviewer")
        review = client.get(f"/desk/revisions/{further.id}/review").get_data(as_text=True)
        assert "A load changed this event after this revision was started" in review
        assert CORRECTED in review and "Changed by the load" in review
        assert f'action="/desk/revisions/{further.id}/publish"' not in review
        token = csrf_token(review)
        answer = client.post(f"/desk/revisions/{further.id}/publish", data={"csrf_token": token})
        assert answer.status_code == 409
        assert "would silently undo that load" in answer.get_data(as_text=True)
        page = client.get(f"/desk/events/{EVENT}/history").get_data(as_text=True)
        assert "Changed by a load since the last revision" in page
        assert "version 3" in page
    finally:
        stop_listening(app)
    assert stored(engine)["title"] == "Rally through the night"


def test_the_history_page_names_the_load_a_revision_starts_from(desk, tmp_path):
    url, engine, draft, _, reviewer = desk
    load(url, changed_copy(tmp_path, EVENT, "description", LOADED))
    with transaction(engine) as connection:
        send_back(connection, draft.id, reviewer, "a load changed the event")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    try:
        client = app.test_client()
        signed_in(client, url, "editor")
        edit = client.get(f"/desk/events/{EVENT}").get_data(as_text=True)
        assert "A load changed this event after the desk last wrote it" in edit
        assert LOADED in edit
        form = {"csrf_token": csrf_token(edit), "number": "1", "reason": "the title again"}
        restored = client.post(f"/desk/events/{EVENT}/restore", data=form)
        assert restored.status_code == 303
        page = client.get(f"/desk/events/{EVENT}/history").get_data(as_text=True)
        assert "Changed by a load before this revision" in page and "version 2" in page
        assert "Changes from the event as loaded" in page
        assert "Changed by a load since the last revision" not in page
        edit = client.get(f"/desk/events/{EVENT}").get_data(as_text=True)
        assert "A load changed this event" not in edit
    finally:
        stop_listening(app)
