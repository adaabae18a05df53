"""Revisions keep features as written, and know when a `db load` changed their event.

A draft's feature was ``jsonb``, which reorders object keys: publishing an unchanged
source then wrote its keys in another order than the loaded file, a spurious difference in
every byte-compared `db dump`. Kept as ``json`` (as ``events`` keeps its lists and objects)
the text is stored as given; rows written before keep the order ``jsonb`` gave them.

A load may change an event after the desk last wrote it. The first revision saved after
that starts a new round: ``original`` holds the event as that load left it (as revision 1's
holds it as first loaded) and ``after_load`` the version of that load, so its diff is
against the loaded event and the history says a load changed it.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE revisions ALTER COLUMN feature TYPE json USING feature::text::json, "
        "ALTER COLUMN original TYPE json USING original::text::json"
    )
    op.add_column(
        "revisions", sa.Column("after_load", sa.Integer, sa.ForeignKey("versions.number"))
    )


def downgrade() -> None:
    op.drop_column("revisions", "after_load")
    op.execute(
        "ALTER TABLE revisions ALTER COLUMN feature TYPE jsonb USING feature::jsonb, "
        "ALTER COLUMN original TYPE jsonb USING original::jsonb"
    )
