"""Indexes that let a page of events be found without reading the events before it.

- ``events_start_reach``: start, then how far the event reaches (its end, or its start
  when it has none). A datetime page walks it in start order and skips the events that
  ended before the interval inside the index, reading only the rows it keeps.
- ``events_span``: each event's length, so the longest is read in one index probe: no
  event starting longer ago than that can overlap the interval, which gives the walk its
  first start.
- ``events_sensitive_geom``: the shapes of sensitive events only. They are shown at their
  grid cell's centre, so a box looks for them a cell wider; on the full index that wider
  box found every event near it (15,000 rows for 1,000 kept), here only the sensitive.
- ``events_place_time``: the shape with the category and the time (btree_gist), so a box
  with a time and categories is narrowed in one index scan rather than by reading every
  event in the box (a combined page at a million: 0.5 s, then 0.1 s).

Each version keeps what its load counted for the reader's page of every event
(``whole_counts``, see ``database.wholecounts``): its span and per-slice counts, which
took two passes over the table on every server's first page.

The shapes' statistics get a finer histogram (300 rather than 100): with the default, a
box at the edge of the events' extent was estimated to hold every event (a million for
98), and its page walked the whole table. Then they are gathered again.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REACH = 'greatest("end", start)'
SHAPE_STATISTICS = 300


def upgrade() -> None:
    # A trusted extension: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(f"CREATE INDEX events_start_reach ON events (start, ({REACH}))")
    op.execute(f"CREATE INDEX events_span ON events (({REACH} - start))")
    op.execute("CREATE INDEX events_sensitive_geom ON events USING gist (geom) WHERE sensitive")
    op.execute(
        f"CREATE INDEX events_place_time ON events USING gist (geom, category, start, ({REACH}))"
    )
    op.execute(f"ALTER TABLE events ALTER COLUMN geom SET STATISTICS {SHAPE_STATISTICS}")
    op.execute("ANALYZE events")
    op.add_column("versions", sa.Column("whole_counts", JSONB))


def downgrade() -> None:
    op.drop_column("versions", "whole_counts")
    op.execute("ALTER TABLE events ALTER COLUMN geom SET STATISTICS -1")
    for name in ("events_place_time", "events_sensitive_geom", "events_span"):
        op.execute(f"DROP INDEX {name}")
    op.execute("DROP INDEX events_start_reach")
