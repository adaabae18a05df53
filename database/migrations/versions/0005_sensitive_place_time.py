"""The sensitive events' shapes with their category and time, as ``events_place_time``
has them for every event.

A box looks for the sensitive events a grid cell wider (they are shown at their cell's
centre), on ``events_sensitive_geom``, which knows their shapes only: with days and
categories too, every sensitive event near the box was read from the table to be
dropped by them. At a million events a combined page read 2,876 such rows to keep a few,
half the rows it read (5,228 blocks, then 3,273). A box alone still finds them on
``events_sensitive_geom``: the planner keeps it, the smaller, when nothing else narrows.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REACH = 'greatest("end", start)'


def upgrade() -> None:
    op.execute(
        "CREATE INDEX events_sensitive_place_time ON events "
        f"USING gist (geom, category, start, ({REACH})) WHERE sensitive"
    )


def downgrade() -> None:
    op.execute("DROP INDEX events_sensitive_place_time")
