"""Each event's place on the Web Mercator grid, kept beside it for the vector tiles; and
the cells of the coarse zooms, built from them.

A tile groups the events in it by the cell of a few pixels each falls in; computed per row
from the geometry (PostGIS functions, then Web Mercator's formula) that cost about 8 µs a
row, seconds for a tile of the city at a million events. Stored once per event, as
generated columns, a tile groups two integers found through a btree. Generated columns
fill themselves: for every existing row when this migration adds them (``db upgrade``),
and for every row a later ``db load`` writes, with no change to how rows are copied.

``tile_x`` and ``tile_y`` are the event's column and row on a grid of 2^30 cells across the
world (64 cells per tile at the last zoom, 24, so a cell at zoom z is the key shifted
right by 24 - z), taken from the point the readers see: the stored point, or for a
sensitive event the centre of its grid cell (geodata.privacy). A shape other than a point
has none (NULL) and is found by its own small GiST index.

``tile_cells`` holds the points grouped per cell of zooms 0 to 12 (database.tilecells),
which a load rebuilds; this migration builds them for the version it finds.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The grid a sensitive event is moved to the centre of, in degrees (geodata.model).
SENSITIVE_GRID_DEG = 0.01
CELLS = 2**30
# Web Mercator's square world ends at this latitude; beyond it the formula has no value.
MAX_LATITUDE = 85.0511287798066


def _coarse(coordinate: str) -> str:
    middle = f"(floor({coordinate} / {SENSITIVE_GRID_DEG}) + 0.5) * {SENSITIVE_GRID_DEG}"
    return f"round(({middle})::numeric, 6)::double precision"


def _shown(axis: str) -> str:
    """The coordinate the readers see (``ST_X`` or ``ST_Y``)."""
    return f"CASE WHEN sensitive THEN {_coarse(f'{axis}(ST_Centroid(geom))')} ELSE {axis}(geom) END"


def _key(fraction: str) -> str:
    """A fraction of the world (0 at the west or north edge) as a cell number."""
    cell = f"floor(({fraction}) * {CELLS})"
    points = "sensitive OR ST_GeometryType(geom) = 'ST_Point'"
    return f"CASE WHEN {points} THEN least(greatest({cell}, 0), {CELLS - 1})::integer END"


TILE_X = _key(f"({_shown('ST_X')} + 180) / 360")
_LATITUDE = f"radians(least(greatest({_shown('ST_Y')}, -{MAX_LATITUDE}), {MAX_LATITUDE}))"
TILE_Y = _key(f"(1 - ln(tan({_LATITUDE}) + 1 / cos({_LATITUDE})) / pi()) / 2")


def upgrade() -> None:
    op.execute(
        f"ALTER TABLE events ADD COLUMN tile_x integer GENERATED ALWAYS AS ({TILE_X}) STORED, "
        f"ADD COLUMN tile_y integer GENERATED ALWAYS AS ({TILE_Y}) STORED"
    )
    op.execute("CREATE INDEX events_tile_keys ON events (tile_x, tile_y)")
    op.execute("CREATE INDEX events_shapes_gist ON events USING gist (geom) WHERE tile_x IS NULL")
    # A tile of one time slice reads the events of that time: from this index alone (the
    # columns its cells need ride along), not from the wide rows, which cost a read of a
    # heap page each (5.3 s for a day of a million events' city tile, 0.9 s with it).
    op.execute(
        'CREATE INDEX events_tile_times ON events (start) INCLUDE ("end", tile_x, tile_y, '
        "category, geo_precision, sensitive, position)"
    )
    op.create_table(
        "tile_cells",
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
    op.create_index("tile_cells_address", "tile_cells", ["zoom", "cx", "cy"])
    # Built by the code a load builds them with (imported here: run with this revision).
    from almaty_map.database.tilecells import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("tile_cells")
    op.execute("ALTER TABLE events DROP COLUMN tile_y, DROP COLUMN tile_x")
