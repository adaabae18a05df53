"""Indexes in the order of the editors' desk's event list: start, then id byte by byte.

The desk lists every event by its start, then its id (compared as bytes, ``COLLATE "C"``,
so the order is the same whatever the database's locale). Without an index in exactly
that order a page sorted every matching event first: 1 to 5 s a page at a million events.
``events_start_id`` gives every event in that order and ``events_category_start_id`` a
category's, so a page reads its rows and those before it (the few events with an open
revision are merged in from their drafts). Each ends with how far the event reaches (as
``events_start_reach``), so a time filter skips, inside the index, the events that ended
before its span: a deep page of a day went from 1.4 s to 0.08 s.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


REACH = 'greatest("end", start)'


def upgrade() -> None:
    op.execute(f'CREATE INDEX events_start_id ON events (start, id COLLATE "C", ({REACH}))')
    op.execute(
        "CREATE INDEX events_category_start_id "
        f'ON events (category, start, id COLLATE "C", ({REACH}))'
    )


def downgrade() -> None:
    op.execute("DROP INDEX events_category_start_id")
    op.execute("DROP INDEX events_start_id")
