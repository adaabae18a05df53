"""`almaty-map db init | load | upgrade`: validated, all or nothing, versions recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import orjson
import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

from almaty_map.cli import main as cli
from almaty_map.database import migrate
from almaty_map.database.backend import PostgisBackend
from almaty_map.database.connect import open_engine
from almaty_map.database.schema import events, metadata, versions
from harness.serving import ROOT, START
from harness.synthetic import write_dataset
from harness.terminal import on_a_terminal
from tests.conftest import DATA, MAX_BYTES, loaded_database

pytestmark = pytest.mark.db


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def stored(url: str) -> tuple[int, int]:
    """How many versions and how many current events the database holds."""
    engine = open_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(versions)).scalar_one()
        rows = connection.execute(select(func.count()).select_from(events)).scalar_one()
    engine.dispose()
    return count, rows


def test_init_creates_the_schema_the_code_describes(database):
    result = run("db", "init", "--db", database)
    assert result.exit_code == 0, result.output
    assert f"schema revision {migrate.head()}" in result.output
    engine = open_engine(database)
    found = inspect(engine)
    for table in metadata.sorted_tables:
        columns = [c["name"] for c in found.get_columns(table.name)]
        assert columns == [c.name for c in table.columns], table.name
    indexes = {i["name"] for i in found.get_indexes("events")}
    assert {"events_geom_gist", "events_start", "events_end", "events_category"} <= indexes
    assert {"events_title_trgm", "events_place_trgm"} <= indexes
    assert "events_description_trgm" not in indexes  # no query could use it (0002)
    engine.dispose()
    again = run("db", "init", "--db", database)
    assert again.exit_code == 1
    assert "already" in again.output and "db upgrade" in again.output
    upgrade = run("db", "upgrade", "--db", database)
    assert upgrade.exit_code == 0 and "up to date" in upgrade.output


def test_load_before_init_names_the_command_that_fixes_it(database):
    result = run("db", "load", str(DATA / "base"), "--db", database)
    assert result.exit_code == 1
    assert "db init" in result.output


def test_a_dataset_with_errors_is_refused_with_the_validate_report(database, make_dataset):
    loaded_database(database, DATA / "base")
    broken = make_dataset(events=DATA / "broken-events" / "missing-title.geojson")
    validated = run("validate", str(broken))
    result = run("db", "load", str(broken), "--db", database)
    assert result.exit_code == 1
    problems = [line for line in validated.output.splitlines() if "title" in line]
    assert problems
    for line in problems:
        assert line in result.output
    assert stored(database) == (1, 3)


def test_shapes_with_heights_load_as_the_files_read_them(database, make_dataset):
    """A KML from Google My Maps gives every coordinate a height (0), as GeoJSON may: the
    files read such a line, and the load stopped on PostgreSQL's "Geometry has Z dimension
    but column does not" with a traceback. Each shape is stored flat, where it lies."""
    doc = orjson.loads((DATA / "base" / "events.geojson").read_bytes())
    line = [[76.930, 43.250, 0.0], [76.940, 43.240, 12.5], [76.945, 43.238, 0.0]]
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": line}
    doc["features"][1]["geometry"]["coordinates"] += [850.0]
    folder = make_dataset(events=orjson.dumps(doc).decode())
    assert run("db", "init", "--db", database).exit_code == 0
    result = run("db", "load", str(folder), "--db", database)
    assert result.exit_code == 0, result.output
    engine = open_engine(database)
    with engine.connect() as connection:
        shapes = connection.execute(
            select(events.c.id, func.ST_AsText(events.c.geom)).order_by(events.c.id)
        ).all()
    engine.dispose()
    assert dict(shapes)[doc["features"][0]["properties"]["id"]] == (
        "LINESTRING(76.93 43.25,76.94 43.24,76.945 43.238)"
    )
    assert dict(shapes)[doc["features"][1]["properties"]["id"]].startswith("POINT(")


def test_each_load_records_what_it_changed(database, make_dataset):
    loaded_database(database, DATA / "base")
    doc = orjson.loads((DATA / "base" / "events.geojson").read_bytes())
    doc["features"][0]["properties"]["title"] = "Rally through the whole night"
    removed = doc["features"].pop()["properties"]["id"]
    changed = doc["features"][0]["properties"]["id"]
    folder = make_dataset(events=orjson.dumps(doc).decode())
    result = run("db", "load", str(folder), "--db", database)
    assert result.exit_code == 0, result.output
    assert f"~ {changed}" in result.output
    assert "as version 2: 0 added, 1 removed, 1 changed, 1 unchanged" in result.output
    engine = open_engine(database)
    with engine.connect() as connection:
        diff, summary = connection.execute(
            select(versions.c.diff, versions.c.summary).where(versions.c.number == 2)
        ).one()
    engine.dispose()
    assert summary.startswith("0 added, 1 removed, 1 changed")
    assert [f["id"] for f in diff["removed"]] == [removed]
    assert diff["changed"][changed]["title"]["new"] == "Rally through the whole night"


def _copied_rows(postgres, name: str) -> int:
    text = postgres.sql(
        "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy "
        f"WHERE datname = '{name}'"
    )
    return int(text or 0)


def _killed_while_copying(postgres, database: str, folder) -> int:
    """Start `db load` of ``folder`` and SIGKILL it once it has copied 2,000 rows; how
    many it had copied."""
    process = subprocess.Popen(
        [sys.executable, "-c", START, "db", "load", str(folder), "--db", database, "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    copied, deadline = 0, time.monotonic() + 180
    while copied < 2000 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        copied = _copied_rows(postgres, database_name(database))
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return copied


def test_each_load_gathers_the_statistics_of_its_events(database, make_dataset):
    """Planned with statistics from the first request on: every load runs ANALYZE itself
    (``last_analyze``; autovacuum would set ``last_autoanalyze``, a minute or more later)."""
    engine = open_engine(database)
    analysed = []
    for _ in range(2):
        loaded_database(database, make_dataset())
        with engine.connect() as connection:
            found = connection.execute(
                select(func.pg_stat_get_last_analyze_time(func.to_regclass("events")))
            ).scalar()
            stats = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'events' AND attname = 'start'"
            ).scalar()
        assert found is not None and stats == 1
        analysed.append(found)
    engine.dispose()
    assert analysed[1] > analysed[0]  # the second load analysed again


def test_a_load_killed_halfway_leaves_the_previous_version(postgres, database, tmp_path):
    loaded_database(database, DATA / "base")
    copied = _killed_while_copying(postgres, database, write_dataset(40_000, tmp_path / "big"))
    assert 2000 <= copied < 40_000, copied  # killed in the middle of writing the events
    assert stored(database) == (1, 3)
    assert len(PostgisBackend(database, MAX_BYTES).load().events) == 3
    # and the database takes the next load as if nothing had happened
    assert run("db", "load", str(DATA / "base"), "--db", database, "--quiet").exit_code == 0
    assert stored(database) == (2, 3)


def test_a_first_load_killed_halfway_leaves_an_empty_database_with_its_indexes(
    postgres, database, tmp_path
):
    """The first version empties the table (TRUNCATE), drops its secondary indexes and
    copies frozen rows: killed meanwhile, all of that is undone, and the next load runs."""
    assert run("db", "init", "--db", database).exit_code == 0
    engine = open_engine(database)
    made = {i["name"]: i for i in inspect(engine).get_indexes("events")}
    engine.dispose()
    copied = _killed_while_copying(postgres, database, write_dataset(40_000, tmp_path / "big"))
    assert 2000 <= copied < 40_000, copied
    assert stored(database) == (0, 0)
    engine = open_engine(database)
    assert {i["name"]: i for i in inspect(engine).get_indexes("events")} == made
    engine.dispose()
    assert run("db", "load", str(DATA / "base"), "--db", database, "--quiet").exit_code == 0
    assert stored(database) == (1, 3)


def test_load_shows_progress_on_a_terminal_only(database, tmp_path):
    loaded_database(database, DATA / "base")
    folder = write_dataset(3000, tmp_path / "synthetic")
    shown = on_a_terminal("db", "load", str(folder), "--db", database)
    assert "Writing events" in shown and "/3.00k" in shown  # the real total, 3,000 events
    quiet = on_a_terminal("db", "load", str(folder), "--db", database, "--quiet")
    assert "Writing events" not in quiet and "as version 3" in quiet
    piped = subprocess.run(
        [sys.executable, "-c", START, "db", "load", str(folder), "--db", database],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Writing events" not in piped.stdout + piped.stderr
    assert "as version 4: 0 added, 0 removed, 0 changed, 3000 unchanged" in piped.stdout


def test_an_unreachable_database_is_one_line_without_its_password():
    url = "postgresql://editor:s3cret-pw@127.0.0.1:1/almaty_map"
    for args in (("db", "load", str(DATA / "base")), ("db", "init"), ("query",)):
        result = run(*args, "--db", url)
        assert result.exit_code == 1
        assert result.output.count("\n") == 1, result.output
        assert "s3cret-pw" not in result.output
        assert "postgresql://editor:***@127.0.0.1:1/almaty_map" in result.output


def test_reading_a_database_without_tables_or_data_says_what_to_run(database):
    bare = run("query", "--db", database)
    assert bare.exit_code == 1
    assert "has no almaty-map schema: run `almaty-map db init --db URL`" in bare.output
    run("db", "init", "--db", database)
    empty = run("query", "--db", database)
    assert empty.exit_code == 1
    assert "holds no dataset yet: load one with `almaty-map db load PATH --db URL`" in empty.output
