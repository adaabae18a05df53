"""An event's history: each revision with what it changed against the one before, the first
against the event as loaded; restoring an earlier revision makes a new draft."""

from __future__ import annotations

import pytest

from almaty_map.desk.errors import FieldError, NotFound, WrongState
from almaty_map.desk.history import history, restore
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import save_draft, submit
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db


@pytest.fixture
def desk(database):
    engine = base_loaded(database)
    with transaction(engine) as connection:
        people = {
            "editor": person(connection, "Aigerim", "editor"),
            "reviewer": person(connection, "Saule", "reviewer"),
        }
    yield engine, people
    engine.dispose()


def edited(engine, people, base: int, **changes):
    feature = base_feature("spans-midnight")
    feature["properties"].update(changes)
    with transaction(engine) as connection:
        return save_draft(connection, "spans-midnight", feature, base, people["editor"])


def test_each_revision_is_diffed_against_the_one_before(desk):
    engine, people = desk
    first = edited(engine, people, 0, title="Corrected title")
    with transaction(engine) as connection:
        submit(connection, first.id, "the title", people["editor"], source=CITED)
        publish(connection, first.id, people["reviewer"], None)
    edited(engine, people, 1, title="Corrected title", end="2022-01-07T02:00:00+06:00")
    with transaction(engine) as connection:
        found = history(connection, "spans-midnight")
    assert [(r.number, r.state, r.author) for r, *_ in found] == [
        (1, "published", "Aigerim"),
        (2, "draft", "Aigerim"),
    ]
    assert [(c.field, c.old, c.new) for c in found[0][1]] == [
        ("title", "Rally through the night", "Corrected title")
    ]
    assert [(c.field, c.old, c.new) for c in found[1][1]] == [
        ("end", "2022-01-06T19:00:00+00:00", "2022-01-06T20:00:00+00:00")
    ]
    with transaction(engine) as connection:
        assert history(connection, "home") == []
        with pytest.raises(NotFound):
            history(connection, "no-such-event")


def test_restore_makes_a_new_draft_of_an_earlier_revision(desk):
    engine, people = desk
    first = edited(engine, people, 0, title="Corrected title")
    with transaction(engine) as connection:
        submit(connection, first.id, "the title", people["editor"], source=CITED)
        publish(connection, first.id, people["reviewer"], None)
    with transaction(engine) as connection:
        restored = restore(connection, "spans-midnight", 0, people["editor"], "back to the file")
        found = history(connection, "spans-midnight")
    assert (restored.number, restored.state, restored.restored_from) == (2, "draft", 0)
    assert restored.feature["properties"]["title"] == "Rally through the night"
    assert [(c.field, c.new) for c in found[-1][1]] == [("title", "Rally through the night")]
    with transaction(engine) as connection:
        for number in (5, -1, "1", None):
            with pytest.raises(NotFound):
                restore(connection, "spans-midnight", number, people["editor"], "why")
        with pytest.raises(FieldError):
            restore(connection, "spans-midnight", 1, people["editor"], " ")
        submit(connection, restored.id, "back", people["editor"], source=CITED)
        with pytest.raises(WrongState):
            restore(connection, "spans-midnight", 1, people["editor"], "why")
