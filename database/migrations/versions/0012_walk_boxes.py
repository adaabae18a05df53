"""The list-order indexes end with each event's box, so a walk in time order skips, inside
the index, the events nowhere near a filter's place.

A page of a place and days is read either by walking its days in time order until it is
found, or by gathering its box's events on the GiST index and sorting them. A walk read
every event of its days from the table (a page each: the table is in file order) and
tested its place there: a triangle over four days walked 8,200 events for its first 100
(19 ms). With the event's box in the index (``ST_XMin`` ... ``ST_YMax`` of its stored
shape), the box conditions a place brings (``placeboxes.walk_condition``) are checked on the
index entries, and only the events near it are read: 2,000 pages, 8 ms; a smaller
triangle 8,462 pages and 18.5 ms before, 525 and 3.4 ms after.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REACH = 'greatest("end", start)'
BOX = "(ST_XMin(geom)), (ST_XMax(geom)), (ST_YMin(geom)), (ST_YMax(geom))"


def _build(box: str) -> None:
    op.execute("DROP INDEX events_start_id")
    op.execute("DROP INDEX events_category_start_id")
    op.execute(f'CREATE INDEX events_start_id ON events (start, id COLLATE "C", ({REACH}){box})')
    op.execute(
        "CREATE INDEX events_category_start_id "
        f'ON events (category, start, id COLLATE "C", ({REACH}){box})'
    )


def upgrade() -> None:
    _build(f", {BOX}")


def downgrade() -> None:
    _build("")
