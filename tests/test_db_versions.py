"""A new version over an old one: only the rows that differ are rewritten, yet the tables
hold what a fresh load would, and the recorded diff is the one `almaty-map diff` prints."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import orjson
import pytest
from alembic import command
from alembic.config import Config
from click.testing import CliRunner
from sqlalchemy import JSON, Text, cast, select, text

from almaty_map.cli import main as cli
from almaty_map.database import migrate
from almaty_map.database.connect import open_engine
from almaty_map.database.loading import load_folder
from almaty_map.database.schema import events, versions
from almaty_map.geodata.model import SENSITIVE_GRID_DEG
from almaty_map.geodata.readers.table import CHUNK_SIZE
from harness.synthetic import write_dataset
from tests.conftest import MAX_BYTES, loaded_database, new_database

pytestmark = pytest.mark.db
SIZE = 300


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def rows(url: str) -> list[tuple]:
    """Every stored event row in file order, JSON as its text, the shape as EWKB."""
    engine = open_engine(url)
    columns = [
        cast(c, Text) if c.name == "geom" or isinstance(c.type, JSON) else c for c in events.columns
    ]
    with engine.connect() as connection:
        found = connection.execute(select(*columns).order_by(events.c.position)).all()
    engine.dispose()
    return [tuple(row) for row in found]


def recorded_diff(url: str) -> dict:
    engine = open_engine(url)
    with engine.connect() as connection:
        diff = connection.execute(
            select(versions.c.diff).order_by(versions.c.number.desc()).limit(1)
        ).scalar_one()
    engine.dispose()
    return diff


def edited(old: Path, folder: Path, edit) -> Path:
    """A copy of the dataset ``old`` with its features passed through ``edit``."""
    folder.mkdir()
    (folder / "dataset.toml").write_text((old / "dataset.toml").read_text())
    doc = orjson.loads((old / "events.geojson").read_bytes())
    doc["features"] = edit(doc["features"])
    (folder / "events.geojson").write_bytes(orjson.dumps(doc))
    return folder


def reshuffled(features: list[dict]) -> list[dict]:
    """One event added at the top (every other moves down), one removed, one retitled,
    one sensitive event moved within its grid cell (stored exactly, served as before),
    and two swapped."""
    features = copy.deepcopy(features)
    added = copy.deepcopy(features[0])
    added["properties"] |= {"id": "ev-added", "title": "Added at the top"}
    features[5]["properties"]["title"] = "Retitled"
    hidden = next(f for f in features if f["properties"]["sensitive"])
    x, y = hidden["geometry"]["coordinates"]
    cell = [(math.floor(v / SENSITIVE_GRID_DEG) + 0.3) * SENSITIVE_GRID_DEG for v in (x, y)]
    hidden["geometry"]["coordinates"] = [round(v, 6) for v in cell]
    features[7], features[8] = features[8], features[7]
    del features[20]
    return [added, *features]


def test_a_new_version_is_stored_and_recorded_as_a_fresh_load_and_diff_say(
    postgres, database, tmp_path
):
    old = write_dataset(SIZE, tmp_path / "old")
    new = edited(old, tmp_path / "new", reshuffled)
    loaded_database(database, old)
    result = run("db", "load", new, "--db", database)
    assert result.exit_code == 0, result.output
    printed = run("diff", old, new)
    assert printed.exit_code == 1
    assert result.output.startswith(printed.output)
    assert "1 added, 1 removed, 1 changed" in printed.output  # the sensitive move is unseen
    expected = json.loads(run("diff", old, new, "--format", "json").output)
    assert recorded_diff(database) == expected
    name, fresh = new_database(postgres)
    try:
        loaded_database(fresh, new)
        assert rows(database) == rows(fresh)
    finally:
        postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_new_timezone_shows_every_time_as_changed(database, tmp_path):
    """Times are served in the dataset's timezone: the same stored instants are new text."""
    old = write_dataset(SIZE, tmp_path / "old")
    new = edited(old, tmp_path / "new", lambda features: features)
    toml = (new / "dataset.toml").read_text()
    (new / "dataset.toml").write_text(toml.replace('"Asia/Almaty"', '"Europe/Moscow"'))
    loaded_database(database, old)
    result = run("db", "load", new, "--db", database)
    assert result.exit_code == 0, result.output
    assert f"0 added, 0 removed, {SIZE} changed, 0 unchanged; dataset.toml: timezone" in (
        result.output
    )
    expected = json.loads(run("diff", old, new, "--format", "json").output)
    assert recorded_diff(database) == expected


def index_definitions(url: str) -> set[str]:
    engine = open_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'events'")
        ).scalars()
        definitions = set(found)
    engine.dispose()
    return definitions


def test_a_first_load_builds_the_indexes_the_migrations_made(database, tmp_path):
    """The first load builds the secondary indexes after copying; a refused one leaves
    them as they were."""
    assert run("db", "init", "--db", database).exit_code == 0
    made = index_definitions(database)
    assert len(made) >= 8  # keys, GiST, btrees, trigrams
    folder = write_dataset(SIZE, tmp_path / "first")
    doc = orjson.loads((folder / "events.geojson").read_bytes())
    doc["features"][SIZE - 1]["properties"]["category"] = "no-such-category"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "dataset.toml").write_text((folder / "dataset.toml").read_text())
    (tmp_path / "broken" / "events.geojson").write_bytes(orjson.dumps(doc))
    assert run("db", "load", tmp_path / "broken", "--db", database).exit_code == 1
    assert index_definitions(database) == made
    assert run("db", "load", folder, "--db", database).exit_code == 0
    assert index_definitions(database) == made


def test_a_first_load_writes_its_rows_frozen(postgres, database, tmp_path):
    """COPY FREEZE into the emptied table: the first reader does not rewrite every page to
    mark its rows committed, and no vacuum rewrites them later to freeze them."""
    loaded_database(database, write_dataset(SIZE, tmp_path / "first"))
    name = database.rsplit("/", 1)[1]
    postgres.sql("CREATE EXTENSION pg_visibility", name)
    pages, frozen = postgres.sql(
        "SELECT pg_relation_size('events') / current_setting('block_size')::int, all_frozen "
        "FROM pg_visibility_map_summary('events')",
        name,
    ).split("|")
    assert int(pages) > 1
    assert int(frozen) == int(pages)


def test_upgrading_a_loaded_database_drops_only_the_description_index(database, tmp_path):
    """Revision 0002 on a database at 0001 (a version loaded, then the schema taken back to
    0001, which builds the description's index again): refused until upgraded, then served
    as before, its text search finding the same events, and the index gone."""
    folder = write_dataset(SIZE, tmp_path / "first")
    engine = open_engine(database)
    migrate.upgrade(engine)
    load_folder(engine, folder, MAX_BYTES, lambda done, total: None)
    before = run("query", "--db", database, "--text", "ARMOURED", "--format", "csv")
    assert 1 < before.output.count("\n") < SIZE, before.output[-500:]  # a header, some rows
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", migrate.SCRIPTS)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    engine.dispose()
    assert any("events_description_trgm" in d for d in index_definitions(database))
    refused = run("query", "--db", database, "--text", "ARMOURED", "--format", "csv")
    assert refused.exit_code == 1 and "Traceback" not in refused.output, refused.output
    assert f"schema revision 0001, this almaty-map needs {migrate.head()}" in refused.output
    assert "almaty-map db upgrade" in refused.output
    upgraded = run("db", "upgrade", "--db", database)
    assert f"from schema revision 0001 to {migrate.head()}" in upgraded.output, upgraded.output
    definitions = index_definitions(database)
    assert not any("events_description_trgm" in d for d in definitions)
    assert any("events_title_trgm" in d for d in definitions)
    after = run("query", "--db", database, "--text", "ARMOURED", "--format", "csv")
    assert after.exit_code == 0 and after.output == before.output


def test_the_schema_module_describes_the_newest_migration():
    """The revision a server demands is the migrations' head (a new migration moves both)."""
    from almaty_map.database.schema import REVISION

    assert migrate.head() == REVISION


def test_events_of_many_chunks_are_stored_in_file_order(database, tmp_path):
    """Chunks are sent by a thread of their own while the next is checked: every one
    arrives, in order, into the first version and into a new version's staging table."""
    size = 2 * CHUNK_SIZE + 1234
    folder = write_dataset(size, tmp_path / "many")
    in_file = [
        f["properties"]["id"]
        for f in orjson.loads((folder / "events.geojson").read_bytes())["features"]
    ]
    loaded_database(database, folder)
    assert [row[1] for row in rows(database)] == in_file
    doc = orjson.loads((folder / "events.geojson").read_bytes())
    doc["features"].reverse()
    (tmp_path / "reversed").mkdir()
    (tmp_path / "reversed" / "dataset.toml").write_text((folder / "dataset.toml").read_text())
    (tmp_path / "reversed" / "events.geojson").write_bytes(orjson.dumps(doc))
    result = run("db", "load", tmp_path / "reversed", "--db", database)
    assert f"0 added, 0 removed, 0 changed, {size} unchanged" in result.output
    stored = rows(database)
    assert [row[0] for row in stored] == list(range(size))
    assert [row[1] for row in stored] == in_file[::-1]
