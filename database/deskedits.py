"""Events the editors' desk published since the last `db load`.

A load replaces every event with its folder's; a correction published at the desk after
the folder was dumped or edited would be undone without anyone noticing. So a load is
refused while such edits exist, naming their events, unless told to replace them.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from almaty_map.database.schema import revisions, versions

SHOWN = 20


class DeskEditsError(Exception):
    """A load would replace desk edits; ``events`` are their ids."""

    def __init__(self, events: list[str]):
        self.events = events
        named = ", ".join(events[:SHOWN]) + (
            f" and {len(events) - SHOWN} more" if len(events) > SHOWN else ""
        )
        super().__init__(
            f"the database has corrections published at the desk since its last load, to "
            f"{len(events)} event(s): {named}. This load would replace them: `db dump` the "
            "database and load that folder (with your changes), or pass --replace-desk-edits "
            "to replace them"
        )


def unloaded_desk_edits(connection: Connection) -> list[str]:
    """The ids of the events published at the desk after the newest loaded version."""
    loaded = (
        select(func.coalesce(func.max(versions.c.number), 0))
        .where(versions.c.source != "desk")
        .scalar_subquery()
    )
    query = (
        select(revisions.c.event_id)
        .where(revisions.c.published_version > loaded)
        .group_by(revisions.c.event_id)
        .order_by(revisions.c.event_id)
    )
    return list(connection.execute(query).scalars())
