"""The desk's security rules, each proved against the real app and database: no desk route
answers anyone not signed in, no state changes without the CSRF token, roles are enforced,
sign-ins are rate-limited, sessions are rotated at sign-in and end when they should."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, insert, select, text, update
from werkzeug.routing import Rule

from almaty_map.app import create_app
from almaty_map.database.connect import open_engine
from almaty_map.database.schema import audit_log, desk_sessions, signin_attempts, users
from almaty_map.desk import signins
from almaty_map.desk.accounts import ROLES
from almaty_map.web.deskauth import role_required
from tests.conftest import stop_listening
from tests.deskhelp import (
    HOSTILE,
    PASSWORD,
    csrf_token,
    make_account,
    sign_in,
    signed_in,
)

COOKIE = "__Host-desk"


@pytest.fixture(scope="module")
def engine(desk_database):
    engine = open_engine(desk_database)
    yield engine
    engine.dispose()


def _desk_rules(app) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("desk.")]


def _path(rule: Rule) -> str:
    """The rule's address with every variable filled in (a plausible event id or number)."""
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)


def _audit(engine, action: str, target: str) -> list:
    with engine.connect() as conn:
        query = select(audit_log).where(audit_log.c.action == action, audit_log.c.target == target)
        return conn.execute(query).all()


def test_every_desk_view_declares_its_roles_or_is_the_sign_in_form(desk_app):
    views = {r.endpoint: desk_app.view_functions[r.endpoint] for r in _desk_rules(desk_app)}
    assert "desk.home" in views and "desk.signin" in views
    for endpoint, view in views.items():
        roles = getattr(view, "desk_roles", None)
        public = getattr(view, "desk_public", False)
        assert public == (endpoint == "desk.signin"), endpoint
        assert public or (roles and set(roles) <= set(ROLES)), endpoint


def test_every_desk_route_sends_a_stranger_to_the_sign_in_form_or_answers_401(desk_client):
    rules = [r for r in _desk_rules(desk_client.application) if r.endpoint != "desk.signin"]
    assert rules
    for rule in rules:
        path = _path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = desk_client.open(path, method=method)
            where = f"{method} {path}"
            if method == "GET":
                assert response.status_code == 302, where
                assert response.location.startswith("/desk/signin?next="), where
                json = desk_client.get(path, headers={"Accept": "application/json"})
                assert json.status_code == 401, where
                assert json.get_json()["code"] == "Unauthorized", where
            else:
                assert response.status_code == 401, where
            assert b"csrf_token" not in response.data, where


def test_a_stranger_is_sent_back_where_they_were_going_after_signing_in(desk_client, desk_database):
    first = desk_client.get("/desk/?status=draft")
    assert first.location == "/desk/signin?next=/desk/?status%3Ddraft"
    account = make_account(desk_database, "editor")
    page = desk_client.get(first.location).get_data(as_text=True)
    assert 'name="next" value="/desk/?status=draft"' in page
    form = {"csrf_token": csrf_token(page), "name": account.name, "password": PASSWORD}
    response = desk_client.post("/desk/signin", data={**form, "next": "/desk/?status=draft"})
    assert response.status_code == 302 and response.location == "/desk/?status=draft"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/desk/",
        "https://evil.example/desk/",
        "/desk/\\\\evil.example",
        "/desk//evil.example",
        "/ogc/collections",
        "javascript:alert(1)",
        "/desk/\u202e",
        "/desk/../ogc/collections",
        "/desk/%2e%2e/ogc",
        "/desk/.%2E/ogc",
    ],
)
def test_sign_in_never_sends_anyone_off_the_desk(desk_client, desk_database, target):
    account = make_account(desk_database, "editor")
    page = desk_client.get("/desk/signin", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next"' not in page
    form = {"csrf_token": csrf_token(page), "name": account.name, "password": PASSWORD}
    response = desk_client.post("/desk/signin", data={**form, "next": target})
    assert response.status_code == 302 and response.location == "/desk/"


def test_a_sign_in_without_the_csrf_token_is_400_and_signs_no_one_in(desk_client, desk_database):
    account = make_account(desk_database, "editor")
    desk_client.get("/desk/signin")
    response = desk_client.post("/desk/signin", data={"name": account.name, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF token is missing" in response.get_data(as_text=True)
    assert desk_client.get("/desk/").status_code == 302


@pytest.mark.parametrize("token", ["", "wrong", "IjAxMjM0NTY3ODki.Z2l2ZW4.c2lnbmF0dXJl", *HOSTILE])
def test_sign_out_with_a_wrong_csrf_token_is_400_and_keeps_the_session(
    desk_client, desk_database, token
):
    signed_in(desk_client, desk_database, "editor")
    response = desk_client.post("/desk/signout", data={"csrf_token": token})
    assert response.status_code == 400
    assert "<script>alert" not in response.get_data(as_text=True)
    assert desk_client.get("/desk/").status_code == 200


def test_the_csrf_token_of_another_session_is_refused(desk_app, desk_client, desk_database):
    signed_in(desk_client, desk_database, "editor")
    other = desk_app.test_client()
    other.environ_base["REMOTE_ADDR"] = desk_client.environ_base["REMOTE_ADDR"]
    signed_in(other, desk_database, "editor")
    foreign = csrf_token(other.get("/desk/").get_data(as_text=True))
    assert desk_client.post("/desk/signout", data={"csrf_token": foreign}).status_code == 400


def test_an_xhr_may_send_the_csrf_token_as_a_header(desk_client, desk_database):
    signed_in(desk_client, desk_database, "editor")
    token = csrf_token(desk_client.get("/desk/").get_data(as_text=True))
    response = desk_client.post("/desk/signout", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert desk_client.get("/desk/").status_code == 302


def test_a_view_for_other_roles_is_403_for_a_signed_in_account(desk_database):
    """role_required in a real app (the admin pages use it the same way)."""
    app = create_app({"TESTING": True, "DATABASE_URL": desk_database})
    app.add_url_rule("/desk-test/admins", "admins", role_required("admin")(lambda: "for admins"))
    try:
        client = app.test_client()
        assert client.get("/desk-test/admins").status_code == 302
        signed_in(client, desk_database, "reviewer")
        refused = client.get("/desk-test/admins")
        assert refused.status_code == 403
        assert "needs the admin role; you are signed in as reviewer" in refused.get_data(
            as_text=True
        )
        admin = app.test_client()
        signed_in(admin, desk_database, "admin")
        assert admin.get("/desk-test/admins").get_data(as_text=True) == "for admins"
    finally:
        stop_listening(app)


def test_role_required_refuses_a_role_that_does_not_exist():
    with pytest.raises(ValueError, match="expected roles among"):
        role_required("owner")
    with pytest.raises(ValueError, match="expected roles among"):
        role_required()


def test_five_failures_for_an_account_are_answered_429_with_retry_after(
    desk_client, desk_database, engine
):
    account = make_account(desk_database, "editor")
    for _ in range(signins.PER_ACCOUNT):
        assert sign_in(desk_client, account.name, "wrong password!").status_code == 401
    limited = sign_in(desk_client, account.name, PASSWORD)
    assert limited.status_code == 429
    wait = int(limited.headers["Retry-After"])
    assert 14 * 60 < wait <= 15 * 60
    assert "Too many failed sign-ins" in limited.get_data(as_text=True)
    # The same name in another case is the same account.
    assert sign_in(desk_client, account.name.upper(), PASSWORD).status_code == 429
    assert len(_audit(engine, "signin_failed", account.name)) == signins.PER_ACCOUNT
    assert len(_audit(engine, "signin_limited", account.name)) == 1
    assert desk_client.get("/desk/").status_code == 302


def test_the_limit_lifts_when_the_failures_leave_the_window(desk_client, desk_database, engine):
    account = make_account(desk_database, "editor")
    for _ in range(signins.PER_ACCOUNT):
        sign_in(desk_client, account.name, "wrong password!")
    assert sign_in(desk_client, account.name, PASSWORD).status_code == 429
    with engine.begin() as conn:
        conn.execute(
            update(signin_attempts)
            .where(signin_attempts.c.account == account.name)
            .values(at=signin_attempts.c.at - signins.WINDOW)
        )
    assert sign_in(desk_client, account.name, PASSWORD).status_code == 302


def test_a_success_clears_the_account_s_earlier_failures(desk_app, desk_client, desk_database):
    account = make_account(desk_database, "editor")
    for _ in range(signins.PER_ACCOUNT - 1):
        sign_in(desk_client, account.name, "wrong password!")
    assert sign_in(desk_client, account.name, PASSWORD).status_code == 302
    again = desk_app.test_client()
    again.environ_base["REMOTE_ADDR"] = desk_client.environ_base["REMOTE_ADDR"]
    for _ in range(signins.PER_ACCOUNT - 1):
        assert sign_in(again, account.name, "wrong password!").status_code == 401
    assert sign_in(again, account.name, PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_are_answered_429(desk_client, desk_database, engine):
    """Twenty names tried once each from one address: the next name is refused unverified."""
    address = desk_client.environ_base["REMOTE_ADDR"]
    with engine.begin() as conn:
        rows = [
            {"at": func.now(), "account": f"guess-{n}", "address": address, "ok": False}
            for n in range(signins.PER_ADDRESS)
        ]
        for row in rows:
            conn.execute(insert(signin_attempts).values(**row))
    account = make_account(desk_database, "editor")
    limited = sign_in(desk_client, account.name, PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 14 * 60
    assert _audit(engine, "signin_limited", account.name)[0].address == address


def test_sign_in_makes_a_new_session_and_the_one_before_signs_no_one_in(
    desk_app, desk_client, desk_database
):
    """Session fixation: the cookie a browser had before signing in (which another person
    may have planted) is worth nothing afterwards."""
    desk_client.get("/desk/signin")
    before = desk_client.get_cookie(COOKIE).value
    before_token = csrf_token(desk_client.get("/desk/signin").get_data(as_text=True))
    signed_in(desk_client, desk_database, "editor")
    after = desk_client.get_cookie(COOKIE).value
    assert after != before
    after_token = csrf_token(desk_client.get("/desk/").get_data(as_text=True))
    assert after_token != before_token
    planted = desk_app.test_client()
    planted.set_cookie(COOKIE, before, domain="localhost")
    assert planted.get("/desk/").status_code == 302
    stolen = desk_app.test_client()
    stolen.set_cookie(COOKIE, after, domain="localhost")
    assert stolen.get("/desk/").status_code == 200


def test_signing_in_again_revokes_the_session_before(desk_app, desk_client, desk_database):
    account = signed_in(desk_client, desk_database, "editor")
    first = desk_client.get_cookie(COOKIE).value
    assert sign_in(desk_client, account.name).status_code == 302
    replay = desk_app.test_client()
    replay.set_cookie(COOKIE, first, domain="localhost")
    assert replay.get("/desk/").status_code == 302
    assert desk_client.get("/desk/").status_code == 200


def test_a_signed_out_session_cookie_cannot_be_replayed(desk_app, desk_client, desk_database):
    signed_in(desk_client, desk_database, "editor")
    cookie = desk_client.get_cookie(COOKIE).value
    token = csrf_token(desk_client.get("/desk/").get_data(as_text=True))
    desk_client.post("/desk/signout", data={"csrf_token": token})
    replay = desk_app.test_client()
    replay.set_cookie(COOKIE, cookie, domain="localhost")
    assert replay.get("/desk/").status_code == 302


def _session_of(engine, account_id: int):
    return desk_sessions.c.user_id == account_id


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"last_seen": text("now() - interval '31 minutes'")}, "idle past DESK_IDLE_MINUTES"),
        ({"expires_at": text("now() - interval '1 second'")}, "past DESK_SESSION_HOURS"),
        ({"revoked": True}, "revoked"),
    ],
)
def test_a_session_ends_when_it_should(desk_client, desk_database, engine, change, why):
    account = signed_in(desk_client, desk_database, "editor")
    assert desk_client.get("/desk/").status_code == 200
    with engine.begin() as conn:
        conn.execute(update(desk_sessions).where(_session_of(engine, account.id)).values(**change))
    assert desk_client.get("/desk/").status_code == 302, why


def test_a_session_lasts_the_configured_hours_from_sign_in(desk_client, desk_database, engine):
    account = signed_in(desk_client, desk_database, "editor")
    with engine.connect() as conn:
        row = conn.execute(select(desk_sessions).where(_session_of(engine, account.id))).one()
    assert (row.expires_at - row.created_at).total_seconds() == 12 * 3600


def test_a_busy_session_stays_signed_in_and_notes_when_it_was_seen(
    desk_client, desk_database, engine
):
    account = signed_in(desk_client, desk_database, "editor")
    with engine.begin() as conn:
        conn.execute(
            update(desk_sessions)
            .where(_session_of(engine, account.id))
            .values(last_seen=text("now() - interval '29 minutes'"))
        )
    assert desk_client.get("/desk/").status_code == 200
    with engine.connect() as conn:
        idle = conn.execute(
            select(func.now() - desk_sessions.c.last_seen).where(_session_of(engine, account.id))
        ).scalar_one()
    assert idle.total_seconds() < 60


def test_a_disabled_account_is_signed_out_at_once(desk_client, desk_database, engine):
    """Its flag alone (sessions not yet revoked) ends the session on the next request."""
    account = signed_in(desk_client, desk_database, "editor")
    assert desk_client.get("/desk/").status_code == 200
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == account.id).values(disabled=True))
    assert desk_client.get("/desk/").status_code == 302
    assert sign_in(desk_client, account.name).status_code == 401


def test_the_session_cookie_is_host_only_secure_httponly_and_lax(desk_client, desk_database):
    account = make_account(desk_database, "editor")
    response = sign_in(desk_client, account.name)
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    attributes = [a.strip() for a in cookies[0].split(";")]
    assert attributes[0].startswith(f"{COOKIE}=")
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=Lax"} <= set(attributes)
    assert not any(a.lower().startswith(("domain=", "expires=", "max-age=")) for a in attributes)


def test_desk_pages_carry_the_public_pages_headers_and_are_never_cached(
    desk_client, desk_database, client
):
    public = client.get("/ogc")
    signed_in(desk_client, desk_database, "editor")
    for response in (desk_client.get("/desk/"), desk_client.get("/desk/signin")):
        for header in (
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
            "X-Frame-Options",
        ):
            assert response.headers[header] == public.headers[header], header
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "form-action 'self'" in policy and "base-uri 'none'" in policy
        assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_neither_read_nor_set_the_desk_s_cookie(desk_client, desk_database):
    signed_in(desk_client, desk_database, "editor")
    response = desk_client.get("/ogc/collections")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_sign_in_fields_are_refused_as_text_never_500(desk_client, desk_database, value):
    account = make_account(desk_database, "editor")
    for form in ({"name": value, "password": PASSWORD}, {"name": account.name, "password": value}):
        page = desk_client.get("/desk/signin", query_string={"next": value})
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body
        response = desk_client.post(
            "/desk/signin", data={"csrf_token": csrf_token(body), "next": value, **form}
        )
        assert response.status_code == 401, form
        text_ = response.get_data(as_text=True)
        assert "<script>alert" not in text_ and "<img src=x" not in text_ and "<svg" not in text_
        assert "Set-Cookie: x=1" not in str(response.headers)
