"""Desk publications and the commands: `db load` does not silently undo them, `db dump`
writes them, and every command reading the database sees them."""

from __future__ import annotations

import shutil
import tomllib

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from almaty_map.cli import main as cli
from almaty_map.database.connect import open_engine
from almaty_map.database.schema import events, versions
from almaty_map.desk.forms import feature_from_fields, fields_from_feature
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import published_feature, save_draft, submit
from tests.conftest import DATA, loaded_database
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


def _reordered_copy(tmp_path):
    """tests/data/base with spans-midnight's source keys in an order neither the form nor
    a sorted store would give, and a translation (description before title)."""
    target = tmp_path / "reordered"
    shutil.copytree(DATA / "base", target)
    collection = orjson.loads((target / "events.geojson").read_bytes())
    props = next(
        f["properties"] for f in collection["features"] if f["properties"]["id"] == "spans-midnight"
    )
    props["sources"] = [dict(reversed(list(s.items()))) for s in props["sources"]]
    props["translations"] = {"ru": {"description": "С 23:00 до 01:00.", "title": "Митинг"}}
    (target / "events.geojson").write_bytes(orjson.dumps(collection))
    return target


def _dumped(url, folder) -> dict[str, dict]:
    dumped = run("db", "dump", folder, "--db", url)
    assert dumped.exit_code == 0, dumped.output
    collection = orjson.loads((folder / "events.geojson").read_bytes())
    return {f["id"]: f for f in collection["features"]}


def test_a_title_edited_at_the_desk_is_the_only_difference_in_the_dump(database, tmp_path):
    """Parsed features and every object's key order: a draft kept in a store that sorts
    keys, or built in the form's order, wrote the untouched source back reordered."""
    source = _reordered_copy(tmp_path)
    loaded_database(database, source)
    engine = open_engine(database)
    before = _dumped(database, tmp_path / "before")
    with transaction(engine) as connection:
        editor = person(connection, "Aigerim", "editor")
        reviewer = person(connection, "Saule", "reviewer")
        fields = fields_from_feature(published_feature(connection, "spans-midnight"), {})
        fields["title"] = CORRECTED
        feature, problems = feature_from_fields(fields, {})
        assert problems == []
        draft = save_draft(connection, "spans-midnight", feature, 0, editor)
        submit(connection, draft.id, "the title", editor, source=CITED)
        publish(connection, draft.id, reviewer, None)
    engine.dispose()
    after = _dumped(database, tmp_path / "after")
    assert after["spans-midnight"]["properties"]["title"] == CORRECTED
    after["spans-midnight"]["properties"]["title"] = before["spans-midnight"]["properties"]["title"]
    assert after == before
    for event_id, feature in before.items():  # == ignores order; the bytes do not
        assert orjson.dumps(after[event_id]) == orjson.dumps(feature), event_id
    written = orjson.loads((source / "events.geojson").read_bytes())["features"][0]["properties"]
    kept = after["spans-midnight"]["properties"]
    assert list(kept["sources"][0]) == list(written["sources"][0])
    assert list(kept["translations"]["ru"]) == ["description", "title"]
