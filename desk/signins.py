"""The sign-in rate limit, counted in the database so that every replica enforces one limit.

At most PER_ACCOUNT failed sign-ins for one account name (since its last success) and
PER_ADDRESS from one address, each within WINDOW: guessing a password stays slow however
many servers an attacker spreads the guesses over, and one address cannot try a list of
names. A refused attempt is not verified at all (no argon2 work for a flood) and not counted.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import Connection, func, insert, select

from almaty_map.database.schema import signin_attempts
from almaty_map.desk.text import storable

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20
# The name as typed is kept up to this length (an account name is at most 64).
KEPT = 200
# The first key of the advisory locks taken here, apart from anyone else's.
LOCK_SPACE = 1701


def retry_after(conn: Connection, name: str, address: str) -> int | None:
    """Seconds until this name may be tried from this address again, or None if it may
    now. Locks the name until the transaction ends, so that concurrent attempts on one
    account are counted one after the other."""
    account = storable(name, KEPT).lower()
    conn.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, func.hashtext(account))))
    # Failures before the account's last success count no more.
    last_success = (
        select(func.max(signin_attempts.c.at))
        .where(func.lower(signin_attempts.c.account) == account, signin_attempts.c.ok.is_(True))
        .scalar_subquery()
    )
    waits = [
        _wait(conn, func.lower(signin_attempts.c.account) == account, PER_ACCOUNT, last_success),
        _wait(conn, signin_attempts.c.address == storable(address), PER_ADDRESS, None),
    ]
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def note(conn: Connection, name: str, address: str, ok: bool) -> None:
    conn.execute(
        insert(signin_attempts).values(
            at=func.now(), account=storable(name, KEPT), address=storable(address), ok=ok
        )
    )


def _wait(conn: Connection, whose, limit: int, since) -> int | None:
    """Seconds until fewer than ``limit`` of these failures are within the window: when
    the limit-th newest of them leaves it."""
    query = (
        select(signin_attempts.c.at + WINDOW - func.now())
        .where(whose, signin_attempts.c.ok.is_(False))
        .where(signin_attempts.c.at > func.now() - WINDOW)
        .order_by(signin_attempts.c.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if since is not None:
        query = query.where(signin_attempts.c.at > func.coalesce(since, func.now() - WINDOW))
    left = conn.execute(query).scalar_one_or_none()
    return None if left is None else max(1, math.ceil(left.total_seconds()))
