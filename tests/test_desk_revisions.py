"""Drafts at the desk: saved on a real database with optimistic locking, checked by the
dataset's own checks, submitted for review with a reason; listed with their status."""

from __future__ import annotations

import orjson
import pandas as pd
import pytest
from sqlalchemy import func, select

from almaty_map.database.schema import revisions
from almaty_map.desk.errors import FieldError, Forbidden, NotFound, WrongState
from almaty_map.desk.history import history, restore
from almaty_map.desk.listing import desk_events
from almaty_map.desk.revisions import Conflict, Invalid, Revision, save_draft, submit
from almaty_map.geodata.dataset import inspect_dataset
from tests.deskhelp import HOSTILE
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db


@pytest.fixture
def desk(database):
    engine = base_loaded(database)
    with transaction(engine) as connection:
        people = {
            "editor": person(connection, "Aigerim", "editor"),
            "other": person(connection, "Dauren", "editor"),
            "reviewer": person(connection, "Saule", "reviewer"),
        }
    yield engine, people
    engine.dispose()


def test_a_lost_update_is_refused_with_what_changed_meanwhile(desk):
    engine, people = desk
    first, second = base_feature("spans-midnight"), base_feature("spans-midnight")
    first["properties"]["title"] = "Rally through the night (corrected)"
    second["properties"]["description"] = "Another edit, started from the same version."
    with transaction(engine) as connection:
        saved = save_draft(connection, "spans-midnight", first, None, people["editor"])
    assert isinstance(saved, Revision) and saved.number == 1 and saved.base_number == 0
    with transaction(engine) as connection:
        refused = save_draft(connection, "spans-midnight", second, 0, people["other"])
    assert isinstance(refused, Conflict)
    assert refused.current.number == 1 and refused.current.author == "Aigerim"
    assert [(c.field, c.old, c.new) for c in refused.changes] == [
        ("title", "Rally through the night", "Rally through the night (corrected)")
    ]
    with transaction(engine) as connection:
        count = connection.execute(select(func.count()).select_from(revisions)).scalar_one()
        on_top = save_draft(connection, "spans-midnight", second, 1, people["other"])
    assert count == 1
    assert isinstance(on_top, Revision) and on_top.number == 2
    with transaction(engine) as connection:
        states = dict(connection.execute(select(revisions.c.number, revisions.c.state)).all())
    assert states == {1: "superseded", 2: "draft"}


def test_two_saves_at_once_one_wins_and_the_other_is_a_conflict(desk):
    """The second transaction waits on the event's lock, then sees the first's number."""
    engine, people = desk
    feature = base_feature("home")
    feature["properties"]["title"] = "A flat"
    with engine.begin() as one, engine.begin() as two:
        assert isinstance(save_draft(one, "home", feature, 0, people["editor"]), Revision)
        one.commit()
        assert isinstance(save_draft(two, "home", feature, 0, people["other"]), Conflict)


def test_a_feature_with_errors_is_refused_with_validates_words_per_field(desk, make_dataset):
    engine, people = desk
    feature = base_feature("spans-midnight")
    del feature["properties"]["title"]
    feature["properties"]["sources"][0]["quote"] = ""
    feature["properties"]["category"] = "parade"
    with transaction(engine) as connection:
        refused = save_draft(connection, "spans-midnight", feature, 0, people["editor"])
    assert isinstance(refused, Invalid)
    paths = {p.path: p.message for p in refused.problems}
    assert {"properties.title", "properties.sources[0].quote", "properties.category"} <= set(paths)
    folder = make_dataset(
        events=orjson.dumps({"type": "FeatureCollection", "features": [feature]}).decode()
    )
    _, reported = inspect_dataset(folder)
    errors = [p for p in reported if p.severity == "error"]
    assert {f"properties.{p.field}" for p in errors} == set(paths)
    for problem in errors:
        assert paths[f"properties.{problem.field}"].startswith(problem.message)
    with transaction(engine) as connection:
        assert connection.execute(select(func.count()).select_from(revisions)).scalar() == 0


@pytest.mark.parametrize(
    ("feature", "path"),
    [
        ("not a feature", ""),
        ({"type": "Feature", "properties": []}, "properties"),
        ({"type": "Feature", "properties": {"id": "other"}, "geometry": None}, "properties.id"),
        ({"type": "Feature", "properties": {"title": "\u0000"}, "geometry": None}, ""),
        ({"type": "Feature", "properties": {"title": "\ud800"}, "geometry": None}, ""),
    ],
)
def test_hostile_features_are_refused_not_stored(desk, feature, path):
    engine, people = desk
    with transaction(engine) as connection:
        refused = save_draft(connection, "home", feature, 0, people["editor"])
    assert isinstance(refused, Invalid)
    assert path in {p.path for p in refused.problems}


def test_a_new_event_takes_its_id_from_the_feature_and_not_a_taken_one(desk):
    engine, people = desk
    taken = base_feature("home")
    with transaction(engine) as connection:
        refused = save_draft(connection, None, taken, None, people["editor"])
    assert isinstance(refused, Invalid) and refused.problems[0].path == "properties.id"
    new = base_feature("home")
    new["properties"]["id"] = "new-event"
    with transaction(engine) as connection:
        saved = save_draft(connection, None, new, None, people["editor"])
        listed = {e.event_id: e for e in desk_events(connection)}
    assert isinstance(saved, Revision) and saved.event_id == "new-event"
    assert saved.original is None
    assert listed["new-event"].status == "draft" and listed["new-event"].number == 1
    assert listed["new-event"].start.isoformat() == "2022-01-05T06:00:00+00:00"
    assert listed["home"].status == "published" and listed["home"].number == 0
    del new["properties"]["id"]
    with transaction(engine) as connection, pytest.raises(NotFound):
        save_draft(connection, "no-such-event", new, 0, people["editor"])


def test_submit_needs_a_reason_and_locks_the_event_while_in_review(desk):
    engine, people = desk
    feature = base_feature("home")
    feature["properties"]["title"] = "A flat"
    with transaction(engine) as connection:
        draft = save_draft(connection, "home", feature, 0, people["editor"])
    for reason in ("", "   ", "x" * 501, None, 7, "nul \x00 inside"):
        with transaction(engine) as connection, pytest.raises(FieldError) as refused:
            submit(connection, draft.id, reason, people["editor"], source=CITED)
        assert refused.value.field == "reason"
    with transaction(engine) as connection, pytest.raises(Forbidden):
        submit(connection, draft.id, "mine now", people["other"], source=CITED)
    with transaction(engine) as connection:
        sent = submit(
            connection, draft.id, "  the flat, not a home  ", people["editor"], source=CITED
        )
        assert desk_events(connection, "in_review")[0].event_id == "home"
    assert sent.state == "in_review" and sent.reason == "the flat, not a home"
    with transaction(engine) as connection, pytest.raises(WrongState):
        save_draft(connection, "home", feature, 1, people["other"])
    with transaction(engine) as connection, pytest.raises(WrongState):
        submit(connection, draft.id, "again", people["editor"], source=CITED)
    for hostile in (-1, "1", None, 10**12):
        with transaction(engine) as connection, pytest.raises(NotFound):
            submit(connection, hostile, "why", people["editor"], source=CITED)


def test_the_list_filters_by_status_category_and_text(desk):
    engine, people = desk
    feature = base_feature("after-midnight-local")
    feature["properties"]["title"] = "Shots 100% after_midnight"
    with transaction(engine) as connection:
        save_draft(connection, "after-midnight-local", feature, 0, people["editor"])
        assert [e.event_id for e in desk_events(connection, "draft")] == ["after-midnight-local"]
        assert [e.title for e in desk_events(connection, text="100%")] == [
            feature["properties"]["title"]
        ]
        assert desk_events(connection, text="1000%") == []
        assert desk_events(connection, text="\x00'; drop table events; --") == []
        assert {e.event_id for e in desk_events(connection, category="protest")} == {
            "spans-midnight",
            "home",
        }
        assert len(desk_events(connection, limit=1, offset=1)) == 1
        with pytest.raises(ValueError, match="status"):
            desk_events(connection, "deleted")


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_in_every_argument_is_refused_or_kept_as_typed(desk, payload):
    """Ids, reasons, comments and list filters: a clear refusal or the text kept exactly,
    never a database error (NUL and lone surrogates are what PostgreSQL cannot take)."""
    engine, people = desk
    anonymous = base_feature("home")
    del anonymous["properties"]["id"]
    for hostile in (payload, payload + "\ud800"):
        with transaction(engine) as connection:
            with pytest.raises(NotFound):
                save_draft(connection, hostile, anonymous, 0, people["editor"])
            with pytest.raises(NotFound):
                history(connection, hostile)
            with pytest.raises(NotFound):
                restore(connection, hostile, 0, people["editor"], "why")
            assert desk_events(connection, text=hostile, category=hostile) == []
            with pytest.raises(ValueError, match="status"):
                desk_events(connection, hostile)
    new = base_feature("home")
    new["properties"]["id"] = payload
    feature = base_feature("home")
    feature["properties"]["title"] = payload
    with transaction(engine) as connection:
        created = save_draft(connection, None, new, None, people["editor"])
        titled = save_draft(connection, "home", feature, 0, people["editor"])
    usable = "\x00" not in payload and len(payload) <= 200
    assert isinstance(created, Revision if usable else Invalid)
    assert isinstance(titled, Revision if "\x00" not in payload else Invalid)
    if isinstance(titled, Revision):
        assert titled.feature["properties"]["title"] == payload
        with transaction(engine) as connection:
            if "\x00" in payload.strip() or len(payload.strip()) > 500:
                with pytest.raises(FieldError):
                    submit(connection, titled.id, payload, people["editor"], source=CITED)
            else:
                sent = submit(connection, titled.id, payload, people["editor"], source=CITED)
                assert sent.reason == payload.strip()


def test_a_draft_longer_than_any_published_event_meets_a_span_it_reaches(desk):
    """A time filter walks the published events from the longest one's length before the
    span; a draft may be longer than all of them and must still be found."""
    engine, people = desk
    feature = base_feature("spans-midnight")
    feature["properties"]["start"] = "2022-01-01T00:00:00+06:00"  # six days, where the
    feature["properties"]["end"] = "2022-01-07T01:00:00+06:00"  # longest published is 12 h
    span = (pd.Timestamp("2022-01-06T20:00+06:00"), pd.Timestamp("2022-01-06T21:00+06:00"))
    with transaction(engine) as connection:
        assert desk_events(connection, span=span) == []
        draft = save_draft(connection, "spans-midnight", feature, 0, people["editor"])
        assert isinstance(draft, Revision), draft
        listed = desk_events(connection, span=span)
    assert [(e.event_id, e.status) for e in listed] == [("spans-midnight", "draft")]
