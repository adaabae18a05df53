"""Desk accounts and the audit log on a real database: names case-folded, roles and
passwords checked, argon2id hashes (rehashed when the parameters change), disabling and a
new password ending every session."""

from __future__ import annotations

import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import desk_sessions, users
from almaty_map.desk import audit, sessions
from almaty_map.desk.accounts import (
    HASHER,
    account_by_id,
    add_account,
    authenticate,
    disable_account,
    list_accounts,
    reset_password,
    set_role,
)
from tests.deskhelp import HOSTILE, PASSWORD


@pytest.fixture
def conn(desk_database):
    """A transaction rolled back after the test: nothing it adds stays."""
    engine = open_engine(desk_database)
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()
    engine.dispose()


def _name() -> str:
    return f"Aigerim-{uuid.uuid4().hex[:8]}"


def test_an_account_signs_in_with_its_password_and_is_stored_hashed(conn):
    name = _name()
    account = add_account(conn, name, "editor", PASSWORD)
    assert (account.name, account.role, account.disabled) == (name, "editor", False)
    stored = conn.execute(select(users.c.password_hash).where(users.c.id == account.id)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(conn, name, PASSWORD) == account
    assert authenticate(conn, name.lower(), PASSWORD) == account
    assert authenticate(conn, name, PASSWORD + "!") is None
    assert authenticate(conn, "nobody-" + name, PASSWORD) is None
    assert account_by_id(conn, account.id) == account
    assert account in list_accounts(conn)


def test_a_name_taken_in_another_case_is_refused(conn):
    name = _name()
    add_account(conn, name, "editor", PASSWORD)
    with pytest.raises(ValueError, match=f"account name {name.upper()!r}: expected a new name"):
        add_account(conn, name.upper(), "reviewer", PASSWORD)


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("x", "owner", PASSWORD, "role: expected one of editor, reviewer, admin, found 'owner'"),
        ("x", "editor", "short", "password: expected 12 to 1024 characters, found 5"),
        ("", "editor", PASSWORD, "expected 1 to 64 printable characters, found 0"),
        ("   ", "editor", PASSWORD, "expected 1 to 64 printable characters, found 0"),
        ("n" * 65, "editor", PASSWORD, "expected 1 to 64 printable characters, found 65"),
        ("nul\x00byte", "editor", PASSWORD, "expected 1 to 64 printable characters"),
        ("line\nbreak", "editor", PASSWORD, "expected 1 to 64 printable characters"),
    ],
)
def test_a_bad_account_is_refused_naming_what_was_expected(conn, name, role, password, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_account(conn, name, role, password)


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(conn):
    account = add_account(conn, _name(), "editor", PASSWORD)
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    conn.execute(update(users).where(users.c.id == account.id).values(password_hash=weaker))
    assert authenticate(conn, account.name, PASSWORD) == account
    stored = conn.execute(select(users.c.password_hash).where(users.c.id == account.id)).scalar()
    assert stored != weaker and not HASHER.check_needs_rehash(stored)
    assert authenticate(conn, account.name, PASSWORD) == account


def test_disabling_ends_the_sessions_and_refuses_the_password(conn):
    account = add_account(conn, _name(), "editor", PASSWORD)
    token = sessions.open_session(conn, account.id, 12)
    assert sessions.session_account(conn, token, 30) == account
    assert disable_account(conn, account.name.upper()).disabled
    assert sessions.session_account(conn, token, 30) is None
    revoked = conn.execute(
        select(desk_sessions.c.revoked).where(desk_sessions.c.user_id == account.id)
    ).scalar()
    assert revoked is True
    assert authenticate(conn, account.name, PASSWORD) is None


def test_a_new_password_ends_the_sessions_and_replaces_the_old_one(conn):
    account = add_account(conn, _name(), "editor", PASSWORD)
    token = sessions.open_session(conn, account.id, 12)
    reset_password(conn, account.name, "another long password")
    assert sessions.session_account(conn, token, 30) is None
    assert authenticate(conn, account.name, PASSWORD) is None
    assert authenticate(conn, account.name, "another long password") == account
    with pytest.raises(ValueError, match="password: expected 12"):
        reset_password(conn, account.name, "short")


def test_a_role_change_takes_effect_in_the_live_session(conn):
    account = add_account(conn, _name(), "editor", PASSWORD)
    token = sessions.open_session(conn, account.id, 12)
    assert set_role(conn, account.name, "reviewer").role == "reviewer"
    assert sessions.session_account(conn, token, 30).role == "reviewer"
    with pytest.raises(ValueError, match="role: expected one of"):
        set_role(conn, account.name, "root")


@pytest.mark.parametrize("change", [disable_account, set_role, reset_password])
def test_changing_an_account_that_does_not_exist_is_refused(conn, change):
    arguments = {set_role: ("editor",), reset_password: (PASSWORD,)}.get(change, ())
    with pytest.raises(ValueError, match="expected an existing account, found none"):
        change(conn, "nobody-" + _name(), *arguments)


def test_the_session_table_holds_only_the_token_s_hash(conn):
    account = add_account(conn, _name(), "editor", PASSWORD)
    token = sessions.open_session(conn, account.id, 12)
    stored = conn.execute(
        select(desk_sessions.c.token_hash).where(desk_sessions.c.user_id == account.id)
    ).scalar()
    assert bytes(stored) == sessions.token_hash(token) and token.encode() not in bytes(stored)
    assert len(token) >= 43  # 32 random bytes


@pytest.mark.parametrize("value", HOSTILE)
def test_the_audit_log_keeps_hostile_text_as_text(conn, value):
    audit.record(
        conn, "signin_failed", actor=None, target=value, address=value, detail={value: value}
    )
    entry = audit.entries(conn, limit=1)[0]
    assert entry.action == "signin_failed"
    assert entry.target == value[:500].replace("\x00", "\ufffd")
    assert entry.detail == {value[:500].replace("\x00", "\ufffd"): value.replace("\x00", "\ufffd")}


def test_audit_entries_page_back_newest_first(conn):
    for n in range(5):
        audit.record(conn, "account_add", actor="admin", target=f"t{n}", address=None)
    newest = audit.entries(conn, limit=2)
    assert [e.target for e in newest] == ["t4", "t3"]
    older = audit.entries(conn, limit=2, before_id=newest[-1].id)
    assert [e.target for e in older] == ["t2", "t1"]
    with pytest.raises(ValueError, match="audit action: expected one of"):
        audit.record(conn, "explode", actor=None, target=None, address=None)
