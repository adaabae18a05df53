"""`almaty-map users`: accounts made, listed, disabled, given a new password or role from the
command line, each change in the audit log, and what the desk then lets them do."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from almaty_map.cli import users
from almaty_map.database.connect import open_engine
from almaty_map.desk import accounts, audit
from tests.deskhelp import PASSWORD, make_account, sign_in

pytestmark = pytest.mark.db
NEW_PASSWORD = "a different passphrase entirely"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["users", *args], input=stdin, catch_exceptions=False)


def fresh_name(stem: str = "person") -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def audit_of(database: str, name: str) -> list[audit.Entry]:
    engine = open_engine(database)
    try:
        with engine.connect() as conn:
            return [e for e in audit.entries(conn, limit=10_000) if e.target == name]
    finally:
        engine.dispose()


def account(database: str, name: str) -> accounts.Account | None:
    engine = open_engine(database)
    try:
        with engine.connect() as conn:
            return accounts.account_by_name(conn, name)
    finally:
        engine.dispose()


def test_add_asks_for_the_password_twice_without_echo_and_records_it(desk_database):
    name = fresh_name("alice")
    result = run("add", name, "--role", "editor", "--db", desk_database, stdin=f"{PASSWORD}\n" * 2)
    assert result.exit_code == 0, result.output
    assert f"Added {name} (editor)." in result.output
    assert PASSWORD not in result.output  # the prompt does not echo it
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    added = account(desk_database, name)
    assert added is not None and added.role == "editor" and not added.disabled
    [entry] = audit_of(desk_database, name)
    assert (entry.action, entry.detail, entry.address) == ("account_add", {"role": "editor"}, None)
    assert entry.actor.endswith("(command line)")


def test_list_shows_each_account_with_its_role_and_state(desk_database):
    active, gone = fresh_name("active"), fresh_name("gone")
    make_account(desk_database, "reviewer", active)
    make_account(desk_database, "editor", gone)
    assert run("disable", gone, "--db", desk_database).exit_code == 0
    lines = run("list", "--db", desk_database).output.splitlines()
    assert [line.split() for line in lines if active in line] == [[active, "reviewer", "active"]]
    assert [line.split() for line in lines if gone in line] == [[gone, "editor", "disabled"]]


def test_a_disabled_account_cannot_sign_in(desk_database, desk_client):
    name = fresh_name("leaver")
    make_account(desk_database, "editor", name)
    result = run("disable", name, "--db", desk_database)
    assert result.exit_code == 0 and f"Disabled {name}" in result.output
    assert sign_in(desk_client, name).status_code == 401
    assert [e.action for e in audit_of(desk_database, name)][-2:] == [
        "signin_failed",
        "account_disable",
    ]


def test_a_disabled_account_is_signed_out_at_once(desk_database, desk_client):
    name = fresh_name("signedin")
    make_account(desk_database, "editor", name)
    assert sign_in(desk_client, name).status_code == 302
    assert desk_client.get("/desk/").status_code == 200
    assert run("disable", name, "--db", desk_database).exit_code == 0
    assert desk_client.get("/desk/").status_code == 302


def test_reset_password_from_stdin_replaces_the_old_one(desk_database, desk_client):
    name = fresh_name("forgetful")
    make_account(desk_database, "editor", name)
    result = run(
        "reset-password", name, "--password-stdin", "--db", desk_database, stdin=NEW_PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert sign_in(desk_client, name, PASSWORD).status_code == 401
    assert sign_in(desk_client, name, NEW_PASSWORD).status_code == 302
    assert "password_reset" in [e.action for e in audit_of(desk_database, name)]


def test_set_role_changes_what_the_account_is(desk_database):
    name = fresh_name("promoted")
    make_account(desk_database, "editor", name)
    result = run("set-role", name, "--role", "reviewer", "--db", desk_database)
    assert result.exit_code == 0 and f"{name} is now reviewer." in result.output
    assert account(desk_database, name).role == "reviewer"
    [entry] = audit_of(desk_database, name)
    assert (entry.action, entry.detail) == ("role_change", {"role": "reviewer"})


def test_a_taken_name_is_refused_whatever_its_case(desk_database):
    name = fresh_name("Taken")
    make_account(desk_database, "editor", name)
    result = run(
        "add", name.upper(), "--role", "admin", "--password-stdin", "--db", desk_database,
        stdin=PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "already taken" in result.output and name.upper() in result.output
    assert account(desk_database, name).role == "editor"
    assert audit_of(desk_database, name.upper()) == []


def test_an_unknown_role_is_a_usage_error_naming_the_roles(desk_database):
    name = fresh_name()
    for args in (["add", name], ["set-role", name]):
        result = run(*args, "--role", "owner", "--db", desk_database, stdin=PASSWORD)
        assert result.exit_code == 2
        assert "'owner' is not one of 'editor', 'reviewer', 'admin'" in result.output
    assert account(desk_database, name) is None


def test_a_short_password_is_refused_and_nothing_is_written(desk_database):
    name = fresh_name()
    for args in (["add", name, "--role", "editor"], ["reset-password", name]):
        result = run(*args, "--password-stdin", "--db", desk_database, stdin="eleven char")
        assert result.exit_code == 1
        assert "password: expected 12 to 1024 characters, found 11" in result.output
    assert account(desk_database, name) is None and audit_of(desk_database, name) == []


def test_an_unknown_account_is_named(desk_database):
    for args in (["disable"], ["set-role", "--role", "admin"]):
        result = run(*args, "nobody-here", "--db", desk_database)
        assert result.exit_code == 1
        assert "'nobody-here': expected an existing account, found none" in result.output


def test_a_database_without_the_tables_says_which_command_makes_them(database):
    result = run("list", "--db", database)
    assert result.exit_code == 1
    assert "almaty-map db init" in result.output


def test_the_roles_offered_are_the_desks():
    assert users.ROLES == accounts.ROLES


def test_help_answers_without_loading_the_database_or_password_libraries():
    probe = (
        "import sys; from almaty_map.cli import main\n"
        "try: main(['users', 'add', '--help'])\n"
        "except SystemExit: pass\n"
        "print(sorted({'sqlalchemy', 'argon2', 'flask'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "--password-stdin" in result.stdout
    assert result.stdout.strip().endswith("[]")
