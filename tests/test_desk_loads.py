"""Desk publications and the commands: `db load` does not silently undo them, `db dump`
writes them, and every command reading the database sees them."""

from __future__ import annotations

import tomllib

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from almaty_map.cli import main as cli
from almaty_map.database.schema import events, versions
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import save_draft, submit
from tests.conftest import DATA
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db
CORRECTED = "Rally through the night, corrected"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def published(database):
    """The base dataset with spans-midnight's title corrected at the desk."""
    engine = base_loaded(database)
    feature = base_feature("spans-midnight")
    feature["properties"]["title"] = CORRECTED
    with transaction(engine) as connection:
        editor = person(connection, "Aigerim", "editor")
        reviewer = person(connection, "Saule", "reviewer")
        draft = save_draft(connection, "spans-midnight", feature, 0, editor)
        submit(connection, draft.id, "the title", editor, source=CITED)
        publish(connection, draft.id, reviewer, None)
    yield database, engine
    engine.dispose()


def titles(engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(events.c.id, events.c.title)).all())


def test_a_load_over_desk_edits_is_refused_naming_them_unless_told(published):
    url, engine = published
    refused = run("db", "load", DATA / "base", "--db", url, "--quiet")
    assert refused.exit_code == 1
    assert "spans-midnight" in refused.output and "--replace-desk-edits" in refused.output
    assert titles(engine)["spans-midnight"] == CORRECTED
    loaded = run("db", "load", DATA / "base", "--db", url, "--quiet", "--replace-desk-edits")
    assert loaded.exit_code == 0, loaded.output
    assert titles(engine)["spans-midnight"] == "Rally through the night"
    again = run("db", "load", DATA / "base", "--db", url, "--quiet")
    assert again.exit_code == 0, again.output  # nothing published since this load
    with engine.connect() as connection:
        assert connection.execute(select(versions.c.source)).scalars().all()[1] == "desk"


def test_a_dump_holds_the_published_edit_and_loads_back(published, tmp_path):
    url, _ = published
    dumped = run("db", "dump", tmp_path / "dump", "--db", url)
    assert dumped.exit_code == 0, dumped.output
    collection = orjson.loads((tmp_path / "dump" / "events.geojson").read_bytes())
    by_id = {f["id"]: f["properties"] for f in collection["features"]}
    assert by_id["spans-midnight"]["title"] == CORRECTED
    corrections = tomllib.loads((tmp_path / "dump" / "corrections.toml").read_text())
    assert corrections["corrections"][0]["event"] == "spans-midnight"
    assert tomllib.loads((tmp_path / "dump" / "dataset.toml").read_text())["version"] == "0.2"
    assert run("validate", tmp_path / "dump").exit_code == 0
    reloaded = run("db", "load", tmp_path / "dump", "--db", url, "--quiet", "--replace-desk-edits")
    assert reloaded.exit_code == 0 and "0 changed" in reloaded.output, reloaded.output


def test_a_query_on_the_database_sees_the_published_title(published):
    url, _ = published
    result = run("query", "--db", url, "--text", "corrected")
    assert result.exit_code == 0, result.output
    found = orjson.loads(result.output)["features"]
    assert [f["properties"]["title"] for f in found] == [CORRECTED]
