"""Desk sessions kept in the database, so every replica knows them and a sign-out, a
disabled account or a reset password ends them everywhere at once.

The browser holds a random token (in the signed session cookie); the table holds only its
SHA-256, so a copy of the table signs no one in. A session ends when revoked, after
``hours`` from sign-in, or after ``idle_minutes`` without a request; the clock is the
database's, one for every replica.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Connection, func, insert, select, update

from almaty_map.database.schema import desk_sessions, users
from almaty_map.desk.accounts import Account

TOKEN_BYTES = 32
# last_seen is written at most this often: a request a second must not be a write a second.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def open_session(conn: Connection, account_id: int, hours: float) -> str:
    """A new session's token (the caller gives it to the browser; only its hash is kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = func.now()
    conn.execute(
        insert(desk_sessions).values(
            token_hash=token_hash(token),
            user_id=account_id,
            created_at=now,
            last_seen=now,
            expires_at=now + timedelta(hours=hours),
            revoked=False,
        )
    )
    return token


def session_account(conn: Connection, token: str, idle_minutes: float) -> Account | None:
    """The signed-in account of a live session (not revoked, expired or idle, its account
    not disabled), noting that it was seen; None otherwise."""
    digest = token_hash(token)
    row = conn.execute(
        select(users, desk_sessions.c.last_seen, func.now().label("now"))
        .join(desk_sessions, desk_sessions.c.user_id == users.c.id)
        .where(
            desk_sessions.c.token_hash == digest,
            desk_sessions.c.revoked.is_(False),
            desk_sessions.c.expires_at > func.now(),
            desk_sessions.c.last_seen > func.now() - timedelta(minutes=idle_minutes),
            users.c.disabled.is_(False),
        )
    ).one_or_none()
    if row is None:
        return None
    if row.now - row.last_seen >= TOUCH_EVERY:
        conn.execute(
            update(desk_sessions)
            .where(desk_sessions.c.token_hash == digest)
            .values(last_seen=func.now())
        )
    return Account(row.id, row.name, row.role, row.disabled)


def revoke(conn: Connection, token: str) -> None:
    conn.execute(
        update(desk_sessions)
        .where(desk_sessions.c.token_hash == token_hash(token))
        .values(revoked=True)
    )
