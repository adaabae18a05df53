"""Where the desk is served and how: DESK on/off/only, DESK_PREFIX, SECRET_KEY, the cookie
over plain HTTP, and the desk's address on a server of files."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.web.settings import SettingError
from tests.conftest import stop_listening
from tests.deskhelp import make_account, sign_in, signed_in


@pytest.fixture
def desk_app_with(desk_database):
    """An app on desk_database with these settings (its listener stopped afterwards)."""
    made = []

    def make(**settings):
        app = create_app({"TESTING": True, "DATABASE_URL": desk_database, **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        stop_listening(app)


def test_desk_on_serves_the_desk_beside_the_public_site(desk_client):
    assert desk_client.get("/desk/signin").status_code == 200
    assert desk_client.get("/ogc/collections").status_code == 200
    assert desk_client.get("/").status_code == 200


def test_desk_off_has_no_desk_routes(desk_app_with):
    app = desk_app_with(DESK="off")
    assert not [r for r in app.url_map.iter_rules() if r.rule.startswith("/desk")]
    client = app.test_client()
    for path in ("/desk", "/desk/", "/desk/signin"):
        assert client.get(path).status_code == 404, path
    assert client.get("/ogc/collections").status_code == 200


def test_desk_only_hides_the_public_site_and_leads_to_the_desk(desk_app_with, desk_database):
    client = desk_app_with(DESK="only").test_client()
    front = client.get("/")
    assert front.status_code == 302 and front.location == "/desk/"
    for path in ("/map", "/export", "/download.csv", "/ogc", "/ogc/collections/events/items"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "There is no page at this address." in response.get_data(as_text=True)
    assert client.get("/favicon.svg").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    signed_in(client, desk_database, "editor")
    assert client.get("/desk/").status_code == 200


def test_desk_only_needs_a_database():
    with pytest.raises(SettingError, match="ALMATY_MAP_DESK: expected ALMATY_MAP_DATABASE_URL"):
        create_app({"TESTING": True, "DESK": "only"})


@pytest.mark.parametrize("mode", ["yes", "ON", ""])
def test_an_unknown_desk_mode_is_named(mode):
    with pytest.raises(
        SettingError, match=f"ALMATY_MAP_DESK: expected one of on, off, only, found {mode!r}"
    ):
        create_app({"TESTING": True, "DESK": mode})


def test_the_desk_can_be_served_under_another_prefix(desk_app_with, desk_database):
    client = desk_app_with(DESK_PREFIX="/newsroom/desk").test_client()
    assert client.get("/desk/signin").status_code == 404
    first = client.get("/newsroom/desk/")
    assert first.status_code == 302
    assert first.location.startswith("/newsroom/desk/signin?next=/newsroom/desk/")
    account = make_account(desk_database, "reviewer")
    response = sign_in(client, account.name, prefix="/newsroom/desk")
    assert response.status_code == 302 and response.location == "/newsroom/desk/"
    home = client.get("/newsroom/desk/").get_data(as_text=True)
    assert 'action="/newsroom/desk/signout"' in home


@pytest.mark.parametrize("prefix", ["desk", "/desk/", "/", "/de sk", "/desk?x=1", "//evil", "/<x>"])
def test_a_prefix_that_is_not_a_path_is_named(prefix):
    with pytest.raises(SettingError, match="ALMATY_MAP_DESK_PREFIX: expected a path such as /desk"):
        create_app({"TESTING": True, "DESK_PREFIX": prefix})


@pytest.mark.parametrize("prefix", ["/ogc", "/ogc/collections", "/static", "/map"])
def test_a_prefix_a_public_page_uses_is_refused(desk_database, prefix):
    with pytest.raises(SettingError, match="expected a path no public page uses"):
        create_app({"TESTING": True, "DATABASE_URL": desk_database, "DESK_PREFIX": prefix})


def test_the_desk_needs_a_secret_key_to_start(desk_database, monkeypatch):
    monkeypatch.delenv("ALMATY_MAP_SECRET_KEY")
    with pytest.raises(SettingError) as error:
        create_app({"TESTING": True, "DATABASE_URL": desk_database})
    message = str(error.value)
    assert "ALMATY_MAP_SECRET_KEY: expected a random key of at least 32 characters" in message
    assert "found 0 characters; or set ALMATY_MAP_DESK=off" in message
    with pytest.raises(SettingError, match="found 9 characters"):
        create_app({"TESTING": True, "DATABASE_URL": desk_database, "SECRET_KEY": "too short"})
    app = create_app({"TESTING": True, "DATABASE_URL": desk_database, "DESK": "off"})
    stop_listening(app)
    stop_listening(create_app({"TESTING": True}))


def test_serve_with_a_database_and_no_key_stops_with_the_message(desk_database, monkeypatch):
    monkeypatch.delenv("ALMATY_MAP_SECRET_KEY")
    with socket.socket() as busy:  # should serve start after all, it stops at once
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(cli, ["serve", "--port", port, "--db", desk_database])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ALMATY_MAP_SECRET_KEY: expected a random key")


def test_insecure_cookies_for_local_http_are_named_plainly(desk_app_with, desk_database):
    client = desk_app_with(DESK_SECURE_COOKIES="false").test_client()
    account = make_account(desk_database, "editor")
    response = sign_in(client, account.name)
    attributes = [a.strip() for a in response.headers["Set-Cookie"].split(";")]
    assert attributes[0].startswith("desk=")
    assert "Secure" not in attributes
    assert {"HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)


def test_the_session_ends_after_the_configured_hours(desk_app_with, desk_database):
    """DESK_SESSION_HOURS and DESK_IDLE_MINUTES reach the sessions (the rules themselves
    are in test_desk_security)."""
    from sqlalchemy import select

    from almaty_map.database.connect import open_engine
    from almaty_map.database.schema import desk_sessions

    client = desk_app_with(DESK_SESSION_HOURS="2").test_client()
    account = signed_in(client, desk_database, "editor")
    engine = open_engine(desk_database)
    with engine.connect() as conn:
        row = conn.execute(select(desk_sessions).where(desk_sessions.c.user_id == account.id)).one()
    engine.dispose()
    assert (row.expires_at - row.created_at).total_seconds() == 2 * 3600


@pytest.mark.parametrize("path", ["/desk", "/desk/", "/desk/signin", "/desk/events/<b>x</b>"])
def test_on_files_the_desk_is_a_404_that_names_db(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "start the server with --db" in page and "<b>x" not in page
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and "--db" in as_json.get_json()["description"]
