"""The team database keeps a dataset faithfully: what is loaded is what is dumped and read."""

from __future__ import annotations

import shutil

import orjson
import pandas as pd
import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.database.backend import PostgisBackend
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import Dataset, load_dataset
from tests.conftest import DATA, MAX_BYTES, loaded_database, stop_listening


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_same(a: Dataset, b: Dataset) -> None:
    """Field for field: every event column (geometries included), places, metadata."""
    pd.testing.assert_frame_equal(pd.DataFrame(a.events), pd.DataFrame(b.events))
    assert a.events.geometry.to_wkb().tolist() == b.events.geometry.to_wkb().tolist()
    assert a.place_json == b.place_json
    assert a.meta == b.meta
    assert a.corrections == b.corrections


@pytest.fixture
def every_field(tmp_path):
    """The bundled dataset (places with names and extra properties, corrections, counts
    with kinds and scopes, claims, a sensitive event) plus translations, extra event
    properties and a second sensitive event with an exact point."""
    folder = tmp_path / "every-field"
    shutil.copytree(BUNDLED, folder)
    doc = orjson.loads((folder / "events.geojson").read_bytes())
    first, second, third = (f["properties"] for f in doc["features"][:3])
    first["translations"] = {"es": {"title": "Título", "place": "Plaza"}, "uk": {"title": "Т"}}
    second["internal_ref"] = "AB-12"
    second["tags"] = ["checked", {"by": "desk", "n": 2}]
    third.update(sensitive=True, geo_precision="exact")
    (folder / "events.geojson").write_bytes(orjson.dumps(doc))
    return folder


@pytest.mark.parametrize("which", ["bundled", "every_field"])
def test_load_dump_load_gives_the_same_dataset(which, request, database, tmp_path):
    source = BUNDLED if which == "bundled" else request.getfixturevalue("every_field")
    assert run("db", "init", "--db", database).exit_code == 0
    loaded = run("db", "load", str(source), "--db", database)
    assert loaded.exit_code == 0, loaded.output
    dumped = tmp_path / "dumped"
    result = run("db", "dump", str(dumped), "--db", database)
    assert result.exit_code == 0, result.output
    assert run("validate", str(dumped)).exit_code == 0
    assert_same(load_dataset(source), load_dataset(dumped))
    assert_same(load_dataset(source), PostgisBackend(database, MAX_BYTES).load())
    again = run("db", "load", str(dumped), "--db", database)
    assert "0 added, 0 removed, 0 changed" in again.output


def test_sensitive_events_keep_their_exact_place_in_the_database(every_field, database, tmp_path):
    """Coarsening is for readers: the team's own copy keeps what the files say."""
    loaded_database(database, every_field)
    run("db", "dump", str(tmp_path / "out"), "--db", database)

    def sensitive_geometries(folder):
        doc = orjson.loads((folder / "events.geojson").read_bytes())
        return {
            f["properties"]["id"]: f["geometry"]
            for f in doc["features"]
            if f["properties"].get("sensitive")
        }

    original = sensitive_geometries(every_field)
    assert len(original) == 2
    assert sensitive_geometries(tmp_path / "out") == original
    served = PostgisBackend(database, MAX_BYTES).load().events.set_index("id")
    files = load_dataset(every_field).events.set_index("id")
    for event_id in original:  # and readers get them coarsened, exactly as from files
        assert served.loc[event_id, "geometry_json"] == files.loc[event_id, "geometry_json"]
        assert served.loc[event_id, "geometry_json"] != orjson.dumps(original[event_id]).decode()


def test_an_export_is_byte_identical_from_files_and_from_postgis(bundled_database, tmp_path):
    from_files, from_db = tmp_path / "files.html", tmp_path / "db.html"
    assert run("export", "--out", str(from_files), "--slice", "day").exit_code == 0
    result = run("export", "--out", str(from_db), "--slice", "day", "--db", bundled_database)
    assert result.exit_code == 0, result.output
    assert from_files.read_bytes() == from_db.read_bytes()


def test_the_app_reads_the_database_not_the_folder(database):
    loaded_database(database, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": database})
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    items = client.get("/ogc/collections/events/items").get_json()
    stop_listening(app)
    assert page.count('class="event"') == 3  # the bundled folder has 19
    assert {f["id"] for f in items["features"]} == {
        "spans-midnight",
        "after-midnight-local",
        "home",
    }


def test_dump_refuses_a_folder_that_is_not_empty(bundled_database, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = run("db", "dump", str(tmp_path), "--db", bundled_database)
    assert result.exit_code == 2
    assert "is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_command_line_data_folder_wins_over_the_environment_database(
    bundled_database, monkeypatch
):
    monkeypatch.setenv("ALMATY_MAP_DATABASE_URL", bundled_database)
    from_env = run("validate")
    assert "19 events" in from_env.output and "the database at" in from_env.output
    given = run("validate", "--data", str(DATA / "base"))
    assert "3 events" in given.output


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_query_writes_the_same_bytes_from_files_and_from_postgis(bundled_database, fmt):
    args = ("query", "--format", fmt, "--start", "2022-01-05", "--text", "police")
    from_files = run(*args)
    from_db = run(*args, "--db", bundled_database)
    assert from_files.exit_code == from_db.exit_code == 0
    assert from_files.stdout_bytes == from_db.stdout_bytes
    assert from_files.stdout_bytes.count(b"police") >= 2
