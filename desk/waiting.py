"""What waits at the desk: how many events' latest revisions are drafts, in review or sent
back, in all and written by one account, for the desk's front page to lead to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import distinct_on

from almaty_map.database.schema import revisions

# The open states, in the order an event goes through them.
WAITING = ("draft", "in_review", "returned")


@dataclass(frozen=True)
class Waiting:
    """Counts of events in ``state``: ``total`` at the desk, ``own`` by this account."""

    state: str
    total: int
    own: int


def waiting(connection: Connection, account_id: int) -> list[Waiting]:
    """One count per open state, zero included: an event counts under its latest
    revision's state only (a superseded draft waits for no one)."""
    latest = (
        select(revisions.c.event_id, revisions.c.state, revisions.c.author_id)
        .ext(distinct_on(revisions.c.event_id))
        .order_by(revisions.c.event_id, revisions.c.number.desc())
        .subquery("latest")
    )
    own = func.count().filter(latest.c.author_id == account_id)
    query = (
        select(latest.c.state, func.count(), own)
        .where(latest.c.state.in_(WAITING))
        .group_by(latest.c.state)
    )
    found = {state: (total, mine) for state, total, mine in connection.execute(query)}
    return [Waiting(state, *found.get(state, (0, 0))) for state in WAITING]
