"""Signing in to the editors' desk through its real form, and out again, each in the audit
log with the address it came from."""

from __future__ import annotations

from sqlalchemy import select

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import audit_log
from tests.deskhelp import csrf_token, make_account, sign_in, signed_in


def _actions(database_url: str, name: str) -> list[tuple[str, str | None, str]]:
    engine = open_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(audit_log.c.action, audit_log.c.actor, audit_log.c.address)
                .where(audit_log.c.target == name)
                .order_by(audit_log.c.id)
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def test_an_editor_signs_in_sees_the_desk_and_signs_out(desk_client, desk_database):
    account = signed_in(desk_client, desk_database, "editor")
    home = desk_client.get("/desk/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert f'{account.name} <span class="desk-role">(editor)</span>' in page
    signout = desk_client.post("/desk/signout", data={"csrf_token": csrf_token(page)})
    assert signout.status_code == 302
    assert signout.location == "/desk/signin"
    after = desk_client.get("/desk/")
    assert after.status_code == 302
    assert after.location.startswith("/desk/signin")
    address = desk_client.environ_base["REMOTE_ADDR"]
    assert _actions(desk_database, account.name) == [
        ("signin", account.name, address),
        ("signout", account.name, address),
    ]


def test_a_wrong_password_is_refused_with_the_form_again(desk_client, desk_database):
    account = make_account(desk_database, "reviewer")
    response = sign_in(desk_client, account.name, "not the password at all")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The name or the password is wrong" in page
    assert f'value="{account.name}"' in page
    assert desk_client.get("/desk/").status_code == 302
    address = desk_client.environ_base["REMOTE_ADDR"]
    assert _actions(desk_database, account.name) == [("signin_failed", None, address)]


def test_an_unknown_name_is_refused_exactly_as_a_wrong_password(desk_client, desk_database):
    known = make_account(desk_database, "editor")
    wrong = sign_in(desk_client, known.name, "not the password at all").get_data(as_text=True)
    unknown = sign_in(desk_client, "no-such-" + known.name, "not the password at all")
    assert unknown.status_code == 401
    assert unknown.get_data(as_text=True).replace("no-such-", "") == wrong.replace(
        csrf_token(wrong), csrf_token(unknown.get_data(as_text=True))
    )
