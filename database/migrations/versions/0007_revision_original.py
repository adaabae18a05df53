"""The event as it was before its first desk revision.

A revision's diff is against the one before it, and an optimistic-locking conflict shows
what changed since the number an editor started from; for revision 1 of a loaded event
that is the loaded event, which ``events`` stops holding once a revision is published.
So the first revision of an event keeps it (null for a new event and for later ones).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revisions", sa.Column("original", JSONB))


def downgrade() -> None:
    op.drop_column("revisions", "original")
