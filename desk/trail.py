"""The audit log's entries for desk actions on events (submit, publish, return, restore,
import), in the caller's transaction so an entry exists exactly when its action does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert

from almaty_map.database.schema import audit_log


def record(
    connection: Connection,
    action: str,
    *,
    actor: str | None,
    target: str | None,
    address: str | None,
    detail: dict | None = None,
) -> None:
    connection.execute(
        insert(audit_log).values(
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            target=target,
            address=address,
            detail=detail,
        )
    )
