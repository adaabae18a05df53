"""No trigram index on ``events.description``: it cost most of a first load and served no query.

Text search matches the title, description, place or any actor in one condition; the actors
are a JSON list no index holds, so PostgreSQL filters every row whatever indexes the text
columns have (EXPLAIN on a million events: the same scan with or without this index). The
index was still built by every first load (62 s of PostgreSQL's 93 s of CPU at a million
events, against 10 s for the title's) and kept up to date by every later one. The title
and place keep theirs: small, cheap, and usable by a filter on that one column.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("events_description_trgm", table_name="events")


def downgrade() -> None:
    op.create_index(
        "events_description_trgm",
        "events",
        ["description"],
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
