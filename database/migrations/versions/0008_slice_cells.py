"""The cells of each day slice, so a day's tile reads its cells rather than its events.

``tile_slices`` lists the days of the current version whose cells a load built, and
``slice_cells`` holds them: the columns of ``tile_cells`` with the day's number
(database.tileslices). A version loaded before this revision has none: its day tiles are
grouped from the events, as before, until the next ``db load`` builds them.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tile_slices",
        sa.Column("number", sa.SmallInteger, primary_key=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "slice_cells",
        sa.Column("slice", sa.SmallInteger, nullable=False),
        sa.Column("zoom", sa.SmallInteger, nullable=False),
        sa.Column("cx", sa.Integer, nullable=False),
        sa.Column("cy", sa.Integer, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("geo_precision", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True)),
        sa.Column("time_precision", sa.Text, nullable=False),
        sa.Column("geom", Geometry(srid=3857, spatial_index=False), nullable=False),
    )
    op.create_index("slice_cells_address", "slice_cells", ["zoom", "slice", "cx", "cy"])


def downgrade() -> None:
    op.drop_table("slice_cells")
    op.drop_table("tile_slices")
