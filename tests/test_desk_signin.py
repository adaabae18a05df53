"""Signing in to the editors' desk through its real form, and out again."""

from __future__ import annotations

from tests.deskhelp import csrf_token, make_account, sign_in, signed_in


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


def test_a_wrong_password_is_refused_with_the_form_again(desk_client, desk_database):
    account = make_account(desk_database, "reviewer")
    response = sign_in(desk_client, account.name, "not the password at all")
    assert response.status_code == 401
    assert "The name or the password is wrong" in response.get_data(as_text=True)
    assert desk_client.get("/desk/").status_code == 302
