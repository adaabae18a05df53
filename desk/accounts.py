"""Desk accounts: who may sign in, with which role, and their argon2id password hashes.

Names are compared case-folded (the database's unique index is on ``lower(name)``), so
"Aigerim" and "aigerim" are one account. Only hashes are stored; ``authenticate`` does the
same work whether or not a name exists, so timing does not tell which names are accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from almaty_map.database.schema import desk_sessions, users

ROLES = ("editor", "reviewer", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 64
# argon2-cffi's defaults are RFC 9106's second recommended (low-memory) profile.
HASHER = PasswordHasher()


@cache
def _nobody() -> str:
    """The hash verified against for a name with no account, so an unknown name costs a
    real verification. Made on the first sign-in, not at import: hashing costs a server
    with the desk a few hundred milliseconds of its start."""
    return HASHER.hash("no account has this password")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    disabled: bool


def add_account(conn: Connection, name: str, role: str, password: str) -> Account:
    """Raise ValueError naming the problem for a bad or taken name, an unknown role or a
    short password; nothing is written then."""
    name = _checked_name(name)
    _check_role(role)
    _check_password(password)
    if _row(conn, name) is not None:
        raise ValueError(f"account name {name!r}: expected a new name, found one already taken")
    row = conn.execute(
        insert(users)
        .values(name=name, role=role, password_hash=HASHER.hash(password), disabled=False)
        .returning(users.c.id, users.c.name, users.c.role, users.c.disabled)
    ).one()
    return Account(row.id, row.name, row.role, row.disabled)


def authenticate(conn: Connection, name: str, password: str) -> Account | None:
    """The account if the name and password match and it is not disabled; rehashes a
    password whose hash was made with other parameters than HASHER's."""
    nobody = _nobody()  # made on the first call whatever the name, so no name is slower
    plausible = 0 < len(name) <= MAX_NAME and name.isprintable()
    row = _row(conn, name) if plausible else None
    stored = row.password_hash if row is not None else nobody
    try:
        HASHER.verify(stored, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled or len(password) > MAX_PASSWORD:
        return None
    if HASHER.check_needs_rehash(stored):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=HASHER.hash(password))
        )
    return _account(row)


def account_by_id(conn: Connection, account_id: int) -> Account | None:
    row = conn.execute(select(users).where(users.c.id == account_id)).one_or_none()
    return None if row is None else _account(row)


def account_by_name(conn: Connection, name: str) -> Account | None:
    row = _row(conn, name)
    return None if row is None else _account(row)


def list_accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(select(users).order_by(func.lower(users.c.name)))
    return [_account(row) for row in rows]


def disable_account(conn: Connection, name: str) -> Account:
    """Disable the account and revoke its sessions: it is signed out everywhere at once."""
    account = _existing(conn, name)
    conn.execute(update(users).where(users.c.id == account.id).values(disabled=True))
    _revoke_sessions(conn, account.id)
    return Account(account.id, account.name, account.role, True)


def reset_password(conn: Connection, name: str, password: str) -> Account:
    """Set a new password and revoke the account's sessions (whoever knew the old one is
    signed out)."""
    _check_password(password)
    account = _existing(conn, name)
    conn.execute(
        update(users).where(users.c.id == account.id).values(password_hash=HASHER.hash(password))
    )
    _revoke_sessions(conn, account.id)
    return account


def set_role(conn: Connection, name: str, role: str) -> Account:
    _check_role(role)
    account = _existing(conn, name)
    conn.execute(update(users).where(users.c.id == account.id).values(role=role))
    return Account(account.id, account.name, role, account.disabled)


def _row(conn: Connection, name: str):
    return conn.execute(
        select(users).where(func.lower(users.c.name) == func.lower(name))
    ).one_or_none()


def _existing(conn: Connection, name: str) -> Account:
    row = _row(conn, name)
    if row is None:
        raise ValueError(f"account name {name!r}: expected an existing account, found none")
    return _account(row)


def _account(row) -> Account:
    return Account(row.id, row.name, row.role, row.disabled)


def _revoke_sessions(conn: Connection, account_id: int) -> None:
    conn.execute(
        update(desk_sessions).where(desk_sessions.c.user_id == account_id).values(revoked=True)
    )


def _checked_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_NAME or not stripped.isprintable():
        raise ValueError(
            f"account name {name!r}: expected 1 to {MAX_NAME} printable characters, "
            f"found {len(stripped)} characters"
        )
    return stripped


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role: expected one of {', '.join(ROLES)}, found {role!r}")


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(
            f"password: expected {MIN_PASSWORD} to {MAX_PASSWORD} characters, found {len(password)}"
        )
