"""Events added in bulk at the desk: read by the dataset's importers (any format), one draft
per event, all or nothing, every problem named as `validate` names it."""

from __future__ import annotations

import shutil

import orjson
import pytest
from sqlalchemy import func, select

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import revisions
from almaty_map.desk.importing import import_drafts
from almaty_map.desk.listing import desk_events
from almaty_map.desk.revisions import save_draft, submit
from almaty_map.geodata.errors import DataError
from tests.conftest import DATA, loaded_database
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db
TEAM = DATA / "tables" / "team"


@pytest.fixture
def desk(database):
    engine = base_loaded(database)
    with transaction(engine) as connection:
        editor = person(connection, "Aigerim", "editor")
    yield engine, editor
    engine.dispose()


def collection(path, *features) -> None:
    path.write_bytes(orjson.dumps({"type": "FeatureCollection", "features": list(features)}))


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(revisions)).scalar_one()


def test_each_event_of_a_file_becomes_a_draft(desk, tmp_path):
    engine, editor = desk
    edited, new = base_feature("spans-midnight"), base_feature("after-midnight-local")
    edited["properties"]["title"] = "Imported title"
    new["properties"]["id"] = "imported-event"
    collection(tmp_path / "edits.geojson", edited, new)
    with transaction(engine) as connection:
        drafts = import_drafts(connection, tmp_path / "edits.geojson", editor)
        listed = {e.event_id: (e.status, e.title) for e in desk_events(connection)}
    assert [(d.event_id, d.number, d.state) for d in drafts] == [
        ("spans-midnight", 1, "draft"),
        ("imported-event", 1, "draft"),
    ]
    assert drafts[0].original["properties"]["title"] == "Rally through the night"
    assert drafts[1].original is None
    assert listed["spans-midnight"] == ("draft", "Imported title")
    assert listed["imported-event"][0] == "draft"


def test_one_bad_event_refuses_the_whole_file_naming_it(desk, tmp_path):
    engine, editor = desk
    good, bad = base_feature("home"), base_feature("spans-midnight")
    good["properties"]["title"] = "Fine"
    del bad["properties"]["title"]
    bad["properties"]["category"] = "parade"
    collection(tmp_path / "edits.geojson", good, bad)
    with transaction(engine) as connection, pytest.raises(DataError) as refused:
        import_drafts(connection, tmp_path / "edits.geojson", editor)
    said = [str(p) for p in refused.value.errors]
    shown = str(tmp_path / "edits.geojson")
    assert f"{shown}, feature 1 (id 'spans-midnight'): field 'title': is missing" in said[0]
    assert any("field 'category': is not a declared category" in s for s in said)
    assert count(engine) == 0


def test_an_event_in_review_or_a_file_of_no_known_kind_is_refused(desk, tmp_path):
    engine, editor = desk
    feature = base_feature("home")
    feature["properties"]["title"] = "In review"
    with transaction(engine) as connection:
        draft = save_draft(connection, "home", feature, 0, editor)
        submit(connection, draft.id, "why", editor, source=CITED)
    collection(tmp_path / "edits.geojson", base_feature("spans-midnight"), feature)
    with transaction(engine) as connection, pytest.raises(DataError, match="in review"):
        import_drafts(connection, tmp_path / "edits.geojson", editor)
    (tmp_path / "notes.txt").write_text("hello")
    for path in (tmp_path / "notes.txt", tmp_path / "missing.geojson", tmp_path):
        with transaction(engine) as connection, pytest.raises(DataError):
            import_drafts(connection, path, editor)
    assert count(engine) == 1


def test_a_workbook_is_read_with_the_served_versions_columns_and_a_folder_with_its_own(
    database, tmp_path
):
    folder = tmp_path / "team"
    folder.mkdir()
    shutil.copyfile(TEAM / "dataset.toml", folder / "dataset.toml")
    shutil.copyfile(TEAM / "team-sheet.csv", folder / "events.csv")
    loaded_database(database, folder)
    engine = open_engine(database)
    try:
        with transaction(engine) as connection:
            editor = person(connection, "Aigerim", "editor")
            drafts = import_drafts(connection, TEAM / "team-sheet.xlsx", editor)
        assert [d.event_id for d in drafts] == ["001", "002", "007"]
        assert drafts[0].feature["properties"]["title"] == "Crowd gathers on the square"
        with transaction(engine) as connection:
            again = import_drafts(connection, folder, editor)
        assert [(d.event_id, d.number) for d in again] == [("001", 2), ("002", 2), ("007", 2)]
    finally:
        engine.dispose()
