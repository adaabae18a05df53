"""/readyz and the settings of a team deployment, without a database (the database side is
tests/test_db_faults.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main
from almaty_map.web.settings import SettingError


def test_a_server_of_files_is_ready_and_names_its_version(client, bundled):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "version": bundled.fingerprint}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_replica_without_its_primary_is_a_setting_error():
    with pytest.raises(SettingError) as error:
        create_app({"TESTING": True, "DATABASE_READ_URL": "postgresql://reader@replica/db"})
    assert "ALMATY_MAP_DATABASE_READ_URL: expected ALMATY_MAP_DATABASE_URL (--db) too" in str(
        error.value
    )


def test_db_read_without_db_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("ALMATY_MAP_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db-read", "postgresql://reader@replica/db"])
    assert result.exit_code == 2
    assert "--db-read needs --db (or ALMATY_MAP_DATABASE_URL) too" in result.output


def test_a_database_timeout_below_one_second_is_refused():
    with pytest.raises(SettingError) as error:
        create_app({"TESTING": True, "DATABASE_TIMEOUT": 0.1})
    assert "ALMATY_MAP_DATABASE_TIMEOUT: expected a number of at least 1, found 0.1" in str(
        error.value
    )


def test_an_unreachable_replica_at_start_is_one_line_naming_it_without_its_password():
    """With a replica, it is the one that must answer at start (the primary may be down)."""
    result = CliRunner().invoke(
        main,
        [
            "serve",
            "--db",
            "postgresql://editor:primary-pw@127.0.0.1:1/almaty_map",
            "--db-read",
            "postgresql://reader:replica-pw@127.0.0.1:2/almaty_map",
        ],
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: Cannot connect to the database at postgresql://reader:***@127.0.0.1:2/almaty_map"
    )
    assert len(result.output.strip().splitlines()) == 1
    assert "-pw" not in result.output
