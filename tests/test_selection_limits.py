"""How many events an export, an embedded map or a download may hold, on files and PostGIS,
and the reader's page drawing the first events of a selection too large for it (database).

The limits are lowered for the test (ALMATY_MAP_MAX_EXPORT_EVENTS, ALMATY_MAP_MAX_PAGE_EVENTS)
so the bundled 19 events are more than they allow.
"""

from __future__ import annotations

import pytest

from almaty_map.app import create_app
from tests.conftest import stop_listening

pytestmark = pytest.mark.both_backends
NARROW = "category=lethal-force"  # 4 events


@pytest.fixture(scope="module")
def limited(backend_config):
    app = create_app(
        {"TESTING": True, "MAX_EXPORT_EVENTS": 5, "MAX_PAGE_EVENTS": 5, **backend_config}
    )
    yield app.test_client()
    stop_listening(app)


@pytest.mark.parametrize("path", ["/export", "/map", "/download.geojson", "/download.csv"])
def test_a_selection_above_the_limit_is_refused_naming_its_size(limited, path):
    response = limited.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == "filters"
    assert "select 19 events, more than the 5" in body["description"]
    assert "narrow them" in body["description"]
    narrowed = limited.get(f"{path}?{NARROW}")
    assert narrowed.status_code == 200


# A box around the city: every event, but a filter vector tiles cannot keep.
CITY_BOX = "bbox=76.0,42.0,78.0,44.5"


def test_the_page_draws_the_first_events_of_a_large_selection_from_the_database(limited, backend):
    page = limited.get(f"/?{CITY_BOX}").get_data(as_text=True)
    assert "19 of 19 events match the filters." in page
    notice = "The map draws the first 5 of these events in time"
    if backend == "files":
        assert notice not in page  # files draw every event, as they always have
    else:
        assert notice in page
    assert notice not in limited.get(f"/?{NARROW}").get_data(as_text=True)


def test_the_export_command_refuses_too_many_events(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from almaty_map.cli import main as cli

    monkeypatch.setenv("ALMATY_MAP_MAX_EXPORT_EVENTS", "5")
    out = tmp_path / "map.html"
    refused = CliRunner().invoke(cli, ["export", "--out", str(out)])
    assert refused.exit_code == 2
    assert "select 19 events, more than the 5" in refused.output
    assert "--category" in refused.output and not out.exists()
    narrowed = CliRunner().invoke(cli, ["export", "--out", str(out), "--category", "lethal-force"])
    assert narrowed.exit_code == 0, narrowed.output
    assert out.stat().st_size > 0


def test_a_large_selection_tiles_can_keep_is_drawn_from_tiles_on_the_database(limited, backend):
    page = limited.get("/").get_data(as_text=True)
    assert "19 of 19 events match the filters." in page
    assert ("AlmatyMapLib.startTiled(" in page) == (backend == "postgis")
    assert "The map draws the first" not in page
