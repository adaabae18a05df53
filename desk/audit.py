"""The audit log: who did what to which account or event, from where, and when.

Admins read it on the desk; entries are only ever appended. Every replica writes into the
same table, so the log is one story whichever server answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from almaty_map.database.schema import audit_log
from almaty_map.desk.text import storable, storable_detail

ACTIONS = (
    "signin",
    "signin_failed",
    "signin_limited",
    "signout",
    "submit",
    "publish",
    "return",
    "restore",
    "import",
    "account_add",
    "account_disable",
    "password_reset",
    "role_change",
)


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str | None
    action: str
    target: str | None
    address: str | None
    detail: dict | None


def record(
    conn: Connection,
    action: str,
    *,
    actor: str | None,
    target: str | None,
    address: str | None,
    detail: dict | None = None,
) -> None:
    """Append an entry; an action not in ACTIONS is a bug of the caller (ValueError).
    Texts a client typed are kept as typed, but for NUL (desk.text)."""
    if action not in ACTIONS:
        raise ValueError(f"audit action: expected one of {', '.join(ACTIONS)}, found {action!r}")
    conn.execute(
        insert(audit_log).values(
            at=func.now(),
            actor=_kept(actor),
            action=action,
            target=_kept(target),
            address=_kept(address),
            detail=None if detail is None else storable_detail(detail),
        )
    )


def entries(conn: Connection, limit: int = 200, before_id: int | None = None) -> list[Entry]:
    """The newest entries first, at most ``limit``; ``before_id`` pages back from there."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return [Entry(**row._mapping) for row in conn.execute(query)]


def _kept(text: str | None) -> str | None:
    return None if text is None else storable(text)
