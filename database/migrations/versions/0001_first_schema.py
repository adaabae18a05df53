"""The first schema: versions, events and places, with their indexes.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SRID = 4326


def upgrade() -> None:
    # Both are no-ops when an administrator created them already (PostGIS needs a superuser).
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "versions",
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("dataset_toml", sa.Text, nullable=False),
        sa.Column("corrections_toml", sa.Text),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("diff", JSONB),
    )
    op.create_table(
        "events",
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True)),
        sa.Column("time_precision", sa.Text, nullable=False),
        sa.Column("time_source", sa.JSON),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("place_id", sa.Text),
        sa.Column("geo_precision", sa.Text, nullable=False),
        sa.Column("location_source", sa.JSON),
        sa.Column("fatalities", sa.JSON),
        sa.Column("fatalities_source", sa.JSON),
        sa.Column("actors", sa.JSON, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("sensitive", sa.Boolean, nullable=False),
        sa.Column("translations", sa.JSON),
        sa.Column("extra", sa.JSON),
        sa.Column("geometry", sa.JSON, nullable=False),
        sa.Column("geom", Geometry(srid=SRID, spatial_index=False), nullable=False),
    )
    op.create_table(
        "places",
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("names", sa.JSON),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("extra", sa.JSON),
        sa.Column("geometry", sa.JSON, nullable=False),
        sa.Column("geom", Geometry(srid=SRID, spatial_index=False), nullable=False),
    )
    for table in ("events", "places"):
        op.create_index(f"{table}_geom_gist", table, ["geom"], postgresql_using="gist")
    for column in ("category", "start", "end"):
        op.create_index(f"events_{column}", "events", [column])
    # Text search that works in any language: trigrams match parts of words in any script.
    for column in ("title", "description", "place"):
        op.create_index(
            f"events_{column}_trgm",
            "events",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for table in ("places", "events", "versions"):
        op.drop_table(table)
