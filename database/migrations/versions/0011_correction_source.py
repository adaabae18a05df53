"""What a correction rests on, as its editor cites it.

A publication adds a ``[[corrections]]`` entry whose ``source`` readers see next to the
reason; it was the event's last source, which the editor may never have chosen. Each
submitted revision now keeps the source its editor names for the correction (null for a
draft, and for revisions submitted before this migration: those are refused at
publication until sent back and submitted with one).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revisions", sa.Column("correction_source", sa.Text))


def downgrade() -> None:
    op.drop_column("revisions", "correction_source")
