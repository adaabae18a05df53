"""The desk's admin pages: accounts added, disabled, given a password or role through the
real forms (CSRF on), admins only, hostile names shown as text, and the audit log in pages."""

from __future__ import annotations

import re
import uuid

import pytest

from almaty_map.database.connect import open_engine
from almaty_map.desk import accounts, audit
from tests.deskhelp import PASSWORD, csrf_token, make_account, sign_in, signed_in

pytestmark = pytest.mark.db
ACCOUNTS = "/desk/admin/accounts"
AUDIT = "/desk/admin/audit"
NEW_PASSWORD = "another long passphrase"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def fresh(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def by_name(database: str, name: str) -> accounts.Account | None:
    engine = open_engine(database)
    try:
        with engine.connect() as conn:
            return accounts.account_by_name(conn, name)
    finally:
        engine.dispose()


def audit_of(database: str, name: str) -> list[audit.Entry]:
    engine = open_engine(database)
    try:
        with engine.connect() as conn:
            return [e for e in audit.entries(conn, limit=100_000) if e.target == name]
    finally:
        engine.dispose()


@pytest.fixture
def admin(desk_client, desk_database):
    """An admin signed in on desk_client, and the CSRF token of the accounts page."""
    account = signed_in(desk_client, desk_database, "admin")
    page = desk_client.get(ACCOUNTS)
    assert page.status_code == 200
    return account, csrf_token(page.get_data(as_text=True))


def post(client, path: str, token: str, **form: str):
    return client.post(path, data={"csrf_token": token, **form})


def test_an_admin_adds_an_account_that_can_then_sign_in(admin, desk_client, desk_database):
    me, token = admin
    name = fresh("newcomer")
    response = post(desk_client, ACCOUNTS, token, name=name, role="reviewer", password=NEW_PASSWORD)
    assert response.status_code == 302 and response.location == ACCOUNTS
    page = desk_client.get(ACCOUNTS).get_data(as_text=True)
    assert f"Added {name} (reviewer)." in page
    assert re.search(
        rf"<th scope=\"row\">{name}</th>\s*<td[^>]*>reviewer</td>\s*<td[^>]*>active</td>", page
    )
    [entry] = audit_of(desk_database, name)
    assert (entry.action, entry.actor, entry.detail) == (
        "account_add",
        me.name,
        {"role": "reviewer"},
    )
    assert entry.address == desk_client.environ_base["REMOTE_ADDR"]
    other = desk_client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.251.0.1"
    assert sign_in(other, name, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "role": "editor", "password": NEW_PASSWORD}, "Give the name"),
        ({"name": "x" * 65, "role": "editor", "password": NEW_PASSWORD}, "at most 64"),
        ({"name": "ok-name", "role": "owner", "password": NEW_PASSWORD}, "Not a valid choice"),
        ({"name": "ok-name", "role": "editor", "password": "short"}, "12 to 1024 characters"),
        ({"name": "tab\there", "role": "editor", "password": NEW_PASSWORD}, "printable"),
    ],
)
def test_a_bad_field_is_refused_next_to_it(admin, desk_client, form, message):
    _, token = admin
    response = post(desk_client, ACCOUNTS, token, **form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="desk-error" role="alert"' in page


def test_a_taken_name_is_refused_whatever_its_case(admin, desk_client, desk_database):
    _, token = admin
    name = fresh("Dup")
    make_account(desk_database, "editor", name)
    response = post(
        desk_client, ACCOUNTS, token, name=name.lower(), role="admin", password=NEW_PASSWORD
    )
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    assert by_name(desk_database, name).role == "editor"


def test_a_hostile_name_is_shown_as_text_everywhere(admin, desk_client, desk_database):
    _, token = admin
    response = post(desk_client, ACCOUNTS, token, name=HOSTILE, role="editor", password=PASSWORD)
    assert response.status_code in (302, 400)  # a second run meets the name taken
    bad = desk_client.application.test_client()
    bad.environ_base["REMOTE_ADDR"] = "10.252.0.1"
    sign_in(bad, HOSTILE, "wrong password, clearly")  # the typed name goes to the log
    for page in (desk_client.get(ACCOUNTS), desk_client.get(AUDIT)):
        text = page.get_data(as_text=True)
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def _row_id(database: str, name: str) -> int:
    return by_name(database, name).id


def test_disable_ends_the_accounts_sessions(admin, desk_client, desk_database):
    _, token = admin
    name = fresh("leaving")
    make_account(desk_database, "editor", name)
    theirs = desk_client.application.test_client()
    theirs.environ_base["REMOTE_ADDR"] = "10.253.0.1"
    assert sign_in(theirs, name).status_code == 302
    target = _row_id(desk_database, name)
    response = post(desk_client, f"{ACCOUNTS}/{target}/disable", token)
    assert response.status_code == 302
    assert by_name(desk_database, name).disabled
    assert theirs.get("/desk/").status_code == 302  # signed out
    assert sign_in(theirs, name).status_code == 401
    assert "account_disable" in [e.action for e in audit_of(desk_database, name)]


def test_a_new_password_replaces_the_old_one(admin, desk_client, desk_database):
    _, token = admin
    name = fresh("forgot")
    make_account(desk_database, "editor", name)
    target = _row_id(desk_database, name)
    short = post(desk_client, f"{ACCOUNTS}/{target}/password", token, password="too short")
    assert short.status_code == 400
    assert "12 to 1024 characters" in short.get_data(as_text=True)
    done = post(desk_client, f"{ACCOUNTS}/{target}/password", token, password=NEW_PASSWORD)
    assert done.status_code == 302
    theirs = desk_client.application.test_client()
    theirs.environ_base["REMOTE_ADDR"] = "10.254.0.1"
    assert sign_in(theirs, name, PASSWORD).status_code == 401
    assert sign_in(theirs, name, NEW_PASSWORD).status_code == 302
    assert [e.action for e in audit_of(desk_database, name)].count("password_reset") == 1


def test_a_role_change_is_recorded_with_both_roles(admin, desk_client, desk_database):
    _, token = admin
    name = fresh("promote")
    make_account(desk_database, "editor", name)
    target = _row_id(desk_database, name)
    assert post(desk_client, f"{ACCOUNTS}/{target}/role", token, role="god").status_code == 400
    assert post(desk_client, f"{ACCOUNTS}/{target}/role", token, role="reviewer").status_code == 302
    assert by_name(desk_database, name).role == "reviewer"
    [entry] = [e for e in audit_of(desk_database, name) if e.action == "role_change"]
    assert entry.detail == {"from": "editor", "to": "reviewer"}


def test_an_admin_cannot_disable_or_demote_themselves(admin, desk_client, desk_database):
    me, token = admin
    for action, form in (("disable", {}), ("role", {"role": "editor"})):
        response = post(desk_client, f"{ACCOUNTS}/{me.id}/{action}", token, **form)
        assert response.status_code == 400
        assert "your own account" in response.get_data(as_text=True)
    assert by_name(desk_database, me.name) == me


@pytest.mark.parametrize("path", ["999999999/disable", "abc/role", "-1/password", "1e3/disable"])
def test_an_unknown_account_is_404(admin, desk_client, path):
    _, token = admin
    assert post(desk_client, f"{ACCOUNTS}/{path}", token, role="editor").status_code == 404


ADMIN_ROUTES = [
    ("get", ACCOUNTS),
    ("get", AUDIT),
    ("post", ACCOUNTS),
    ("post", f"{ACCOUNTS}/1/disable"),
    ("post", f"{ACCOUNTS}/1/password"),
    ("post", f"{ACCOUNTS}/1/role"),
]


@pytest.mark.parametrize("role", ["editor", "reviewer"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_editors_and_reviewers_get_403(desk_client, desk_database, role, method, path):
    signed_in(desk_client, desk_database, role)
    token = csrf_token(desk_client.get("/desk/").get_data(as_text=True))
    form = {"csrf_token": token, "name": fresh("x"), "role": "admin", "password": NEW_PASSWORD}
    response = getattr(desk_client, method)(path, data=form)
    assert response.status_code == 403
    assert f"signed in as {role}" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_no_one_signed_in_is_sent_to_sign_in_or_told_401(desk_client, method, path):
    response = getattr(desk_client, method)(path)
    if method == "get":
        assert response.status_code == 302
        assert response.location.startswith("/desk/signin?next=")
    else:
        assert response.status_code == 401


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 5000])
def test_every_admin_form_needs_the_sessions_csrf_token(admin, desk_client, desk_database, token):
    name = fresh("victim")
    make_account(desk_database, "editor", name)
    target = _row_id(desk_database, name)
    form = {"name": fresh("planted"), "role": "admin", "password": NEW_PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    for path in (ACCOUNTS, *(f"{ACCOUNTS}/{target}/{a}" for a in ("disable", "password", "role"))):
        response = desk_client.post(path, data=form)
        assert response.status_code == 400, path
        assert "CSRF" in response.get_data(as_text=True)
    assert by_name(desk_database, name) == accounts.Account(target, name, "editor", False)
    assert by_name(desk_database, form["name"]) is None


def test_the_audit_log_pages_back_fifty_at_a_time(admin, desk_client, desk_database):
    engine = open_engine(desk_database)
    marker = fresh("paging")
    with engine.begin() as conn:
        for number in range(120):
            audit.record(
                conn, "signin_failed", actor=None, target=f"{marker}-{number}", address=None
            )
    engine.dispose()
    first = desk_client.get(AUDIT).get_data(as_text=True)
    shown = re.findall(rf"{marker}-(\d+)", first)
    assert shown == [str(n) for n in range(119, 69, -1)]
    older = re.search(r'href="(/desk/admin/audit\?before=\d+)" rel="next"', first).group(1)
    second = desk_client.get(older).get_data(as_text=True)
    assert re.findall(rf"{marker}-(\d+)", second) == [str(n) for n in range(69, 19, -1)]
    assert "Newest entries" in second


@pytest.mark.parametrize(
    "before", ["abc", "-1", "0", "1.5", "99999999999999999999", "<b>x</b>", "１２"]
)
def test_a_bad_page_marker_is_400_naming_it(admin, desk_client, before):
    response = desk_client.get(AUDIT, query_string={"before": before})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "before" in text and "an entry number" in text
    assert "<b>x</b>" not in text


PAYLOADS = [
    HOSTILE,
    "'; DROP TABLE users; --",
    "nul\x00byte",
    "x" * 20_000,
    "\u202egnp.exe",
    "%00%3Cscript%3E",
    "{{ 7*7 }}",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
@pytest.mark.parametrize(
    ("action", "field"),
    [
        ("add", "name"),
        ("add", "role"),
        ("add", "password"),
        ("password", "password"),
        ("role", "role"),
        ("disable", "extra"),
    ],
)
def test_hostile_values_in_any_admin_field_are_refused_or_kept_as_text(
    admin, desk_client, desk_database, action, field, payload
):
    _, token = admin
    target = make_account(desk_database, "editor", fresh("target"))
    form = {"name": fresh("ok"), "role": "editor", "password": NEW_PASSWORD, field: payload}
    path = ACCOUNTS if action == "add" else f"{ACCOUNTS}/{target.id}/{action}"
    response = post(desk_client, path, token, **form)
    assert response.status_code in (302, 400), response.status_code
    text = desk_client.get(ACCOUNTS).get_data(as_text=True) + response.get_data(as_text=True)
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "DROP TABLE" not in text or "&#39;; DROP TABLE users; --" in text
    assert by_name(desk_database, target.name) is not None
