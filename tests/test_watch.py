"""`serve --watch` survives whatever an edit puts in the folder: the app keeps serving the
last good data, says why it does, and takes the next good edit."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import pytest

from almaty_map.app import create_app
from tests.conftest import DATA
from tests.test_dataset_files import hostile

EDITED = "spans-midnight"


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {what}")


def title(client) -> str:
    response = client.get(f"/ogc/collections/events/items/{EDITED}?f=json")
    assert response.status_code == 200
    return response.get_json()["properties"]["title"]


@pytest.fixture
def watching(make_dataset):
    folder = make_dataset()
    app = create_app(
        {"TESTING": True, "DATA_PATH": str(folder), "WATCH": True, "WATCH_INTERVAL": 0.05}
    )
    yield folder, app
    app.extensions["almaty_map_watch"].stop()


def save_title(folder, text: str) -> None:
    doc = json.loads((DATA / "base" / "events.geojson").read_text())
    for feature in doc["features"]:
        if feature["properties"]["id"] == EDITED:
            feature["properties"]["title"] = text
    (folder / "events.geojson").unlink(missing_ok=True)
    (folder / "events.geojson").write_text(json.dumps(doc))


def restore(folder) -> None:
    toml = folder / "dataset.toml"
    if toml.is_symlink() or not toml.is_file():
        toml.unlink()
    toml.write_text((DATA / "base" / "dataset.toml").read_text())


@pytest.mark.parametrize("case", ["timezone-folder", "toml-to-dev-zero", "toml-fifo"])
def test_the_watcher_survives_a_hostile_edit_and_takes_the_next_good_one(watching, case, caplog):
    folder, app = watching
    store, watcher = app.extensions["almaty_map"], app.extensions["almaty_map_watch"]
    client = app.test_client()
    save_title(folder, "First edit")
    wait_for(lambda: title(client) == "First edit", "the first good edit served")

    caplog.set_level(logging.WARNING, logger="almaty_map.watch")
    hostile(folder, case)
    wait_for(lambda: store.notice() is not None, "the hostile edit noticed")
    assert "dataset.toml" in store.notice()
    # The store publishes the failure a moment before the watcher logs it.
    wait_for(lambda: "still serving the last good dataset" in caplog.text, "the failure logged")
    assert "dataset.toml" in caplog.text
    assert watcher.is_alive()
    assert title(client) == "First edit"
    assert b"waiting for review" in client.get("/").data

    restore(folder)
    save_title(folder, "Second edit")
    wait_for(lambda: title(client) == "Second edit", "the next good edit served")
    assert store.notice() is None and watcher.is_alive()


def test_a_fault_of_our_own_is_logged_and_watching_goes_on(watching, caplog, monkeypatch):
    """Whatever the loader raises, the watcher logs it and the next good edit is served."""
    folder, app = watching
    store, watcher = app.extensions["almaty_map"], app.extensions["almaty_map_watch"]
    client = app.test_client()
    caplog.set_level(logging.WARNING, logger="almaty_map.watch")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the loader")

    monkeypatch.setattr("almaty_map.geodata.backend.inspect_dataset", broken)
    save_title(folder, "Never served")
    wait_for(lambda: store.notice() is not None, "the failure noticed")
    assert "RuntimeError" in store.notice() and "a bug in the loader" not in store.notice()
    wait_for(lambda: "a bug in the loader" in caplog.text, "the fault logged")
    assert str(folder) in caplog.text
    assert watcher.is_alive() and title(client) == "Rally through the night"

    monkeypatch.undo()
    save_title(folder, "Served after all")
    wait_for(lambda: title(client) == "Served after all", "the next good edit served")
