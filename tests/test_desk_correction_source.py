"""A published correction rests on the source its editor cited when submitting, never on
one guessed from the event: submit asks for it, checks it as it checks the reason, and
publication writes it into the corrections entry (or refuses a revision that has none)."""

from __future__ import annotations

import tomllib

import pytest
from sqlalchemy import select, update

from almaty_map.database.schema import revisions, versions
from almaty_map.desk.errors import FieldError, WrongState
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import save_draft, submit
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db
EVENT = "spans-midnight"
# What the event's own last source says: the entry used to carry it, cited or not.
EVENT_SOURCE = "Test Gazette, A night, 2022-01-08: https://example.org/a"


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


def drafted(engine, people):
    feature = base_feature(EVENT)
    feature["properties"]["title"] = "Rally through the night, corrected"
    with transaction(engine) as connection:
        return save_draft(connection, EVENT, feature, None, people["editor"])


def test_the_entry_cites_what_the_editor_cited(desk):
    engine, people = desk
    draft = drafted(engine, people)
    cited = "Vlast.kz, 20 January 2022: https://vlast.kz/novosti/48364"
    with transaction(engine) as connection:
        sent = submit(connection, draft.id, "the title", people["editor"], source=cited)
        publish(connection, sent.id, people["reviewer"], None)
        toml = connection.execute(
            select(versions.c.corrections_toml).order_by(versions.c.number.desc())
        ).scalar()
    (entry,) = tomllib.loads(toml)["corrections"]
    assert entry["source"] == cited
    assert EVENT_SOURCE not in toml


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("", "Give a source"),
        ("   ", "Give a source"),
        (None, "Give a source"),
        ("x" * 501, "at most 500"),
        ("nul\x00byte", "not text"),
        (["a list"], "must be text"),
    ],
)
def test_a_submit_without_a_usable_source_is_refused_naming_it(desk, source, said):
    engine, people = desk
    draft = drafted(engine, people)
    with transaction(engine) as connection, pytest.raises(FieldError, match=said) as refused:
        submit(connection, draft.id, "the title", people["editor"], source=source)
    assert refused.value.field == "source"
    with transaction(engine) as connection:
        state = connection.execute(select(revisions.c.state)).scalar_one()
    assert state == "draft"


def test_a_revision_in_review_with_no_source_is_not_published(desk):
    """As one submitted before sources were asked for: refused, nothing published."""
    engine, people = desk
    draft = drafted(engine, people)
    with transaction(engine) as connection:
        submit(connection, draft.id, "the title", people["editor"], source=CITED)
        connection.execute(update(revisions).values(correction_source=None))
    with transaction(engine) as connection, pytest.raises(WrongState, match="names no source"):
        publish(connection, draft.id, people["reviewer"], None)
    with transaction(engine) as connection:
        assert connection.execute(select(versions.c.number)).scalars().all() == [1]
        state = connection.execute(select(revisions.c.state)).scalar_one()
    assert state == "in_review"
