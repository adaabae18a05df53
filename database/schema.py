"""The tables a dataset is kept in, as the code reads and writes them.

The current version's events and places are the rows of ``events`` and ``places``; every
load also appends a row to ``versions`` with the dataset's own files (dataset.toml and
corrections.toml, verbatim) and what changed against the version it replaced. Lists and
objects are kept as ``json`` (not ``jsonb``), which keeps their text as given: key order and
all, so a dump writes back what was loaded. The schema is created and changed only by the
migrations in ``database/migrations``; this module must describe the newest revision.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.dialects.postgresql import JSONB

SRID = 4326
# The newest migration, which these tables describe; a database at another revision is
# refused with the command that brings it here (tests/test_db_versions.py keeps it
# equal to the migrations' head).
REVISION = "0012"
# pg_notify channel a load announces its new version on (the payload is its number).
CHANNEL = "almaty_map_version"
# The tile keys' expression lives in migration 0002 alone: nothing here creates tables.
TILE_KEY = "see migration 0003_tile_keys"

metadata = MetaData()

versions = Table(
    "versions",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("dataset_toml", Text, nullable=False),
    Column("corrections_toml", Text),
    Column("summary", Text, nullable=False),
    Column("diff", JSONB),
    # The span and per-slice counts of the whole version (database.wholecounts).
    Column("whole_counts", JSONB),
)

events = Table(
    "events",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("id", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("category", Text, nullable=False),
    Column("start", DateTime(timezone=True), nullable=False),
    Column("end", DateTime(timezone=True)),
    Column("time_precision", Text, nullable=False),
    Column("time_source", JSON),
    Column("place", Text, nullable=False),
    Column("place_id", Text),
    Column("geo_precision", Text, nullable=False),
    Column("location_source", JSON),
    Column("fatalities", JSON),
    Column("fatalities_source", JSON),
    Column("actors", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("sensitive", Boolean, nullable=False),
    Column("translations", JSON),
    Column("extra", JSON),
    Column("geometry", JSON, nullable=False),
    Column("geom", Geometry(srid=SRID, spatial_index=False), nullable=False),
    # The event's cell on Web Mercator's grid, generated from the columns above by the
    # database (migration 0002 has the expression; database/tiles.py reads them).
    Column("tile_x", Integer, Computed(TILE_KEY, persisted=True)),
    Column("tile_y", Integer, Computed(TILE_KEY, persisted=True)),
)


def _cell_columns() -> list[Column]:
    """A grouped cell of the tile grid: its zoom and address, what it groups (category,
    precision), how many events, and what a tile's feature shows of the first of them."""
    return [
        Column("zoom", SmallInteger, nullable=False),
        Column("cx", Integer, nullable=False),
        Column("cy", Integer, nullable=False),
        Column("category", Text, nullable=False),
        Column("geo_precision", Text, nullable=False),
        Column("position", Integer, nullable=False),
        Column("n", Integer, nullable=False),
        Column("id", Text, nullable=False),
        Column("start", DateTime(timezone=True), nullable=False),
        Column("end", DateTime(timezone=True)),
        Column("time_precision", Text, nullable=False),
        Column("geom", Geometry(srid=3857, spatial_index=False), nullable=False),
    ]


# The coarse zooms' cells of the current version, for tiles of all times (database.tilecells).
tile_cells = Table(
    "tile_cells",
    metadata,
    *_cell_columns(),
    Index("tile_cells_address", "zoom", "cx", "cy"),
)

# The day slices of the current version whose cells are built at load (database.tileslices),
# and those cells: tile_cells' columns, per day (``slice`` is a tile_slices number).
tile_slices = Table(
    "tile_slices",
    metadata,
    Column("number", SmallInteger, primary_key=True),
    Column("start", DateTime(timezone=True), nullable=False),
    Column("end", DateTime(timezone=True), nullable=False),
)
slice_cells = Table(
    "slice_cells",
    metadata,
    Column("slice", SmallInteger, nullable=False),
    *_cell_columns(),
    Index("slice_cells_address", "zoom", "slice", "cx", "cy"),
)

places = Table(
    "places",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("id", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("names", JSON),
    Column("kind", Text, nullable=False),
    Column("extra", JSON),
    Column("geometry", JSON, nullable=False),
    Column("geom", Geometry(srid=SRID, spatial_index=False), nullable=False),
)

# The editors' desk (migration 0006): accounts, their server-side sessions (a token's
# SHA-256 only), sign-in attempts counted for the rate limit, the audit log, and the
# revisions an event goes through before a reviewer publishes it into ``events``.
users = Table(
    "users",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

desk_sessions = Table(
    "desk_sessions",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False),
)

signin_attempts = Table(
    "signin_attempts",
    metadata,
    Column("at", DateTime(timezone=True), nullable=False),
    Column("account", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("address", Text),
    Column("detail", JSONB),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("event_id", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("base_number", Integer),
    Column("state", Text, nullable=False),
    # As written, key order and all (json, not jsonb: migration 0009).
    Column("feature", PG_JSON, nullable=False),
    Column("reason", Text),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("reviewer_id", Integer, ForeignKey("users.id")),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("review_comment", Text),
    Column("restored_from", Integer),
    Column("published_version", Integer, ForeignKey("versions.number")),
    # The event before its first revision (migration 0007; null for a new event), or as
    # a `db load` left it for the first revision after that load changed it (its version
    # in ``after_load``, migration 0009); null for every other revision. That revision's
    # diff and conflicts compare with it.
    Column("original", PG_JSON),
    Column("after_load", Integer, ForeignKey("versions.number")),
    # What the correction rests on, as its editor cites it when submitting (migration
    # 0011): the published corrections entry's source.
    Column("correction_source", Text),
)

# What COPY writes, in this order (the loader builds each row to match); the database
# generates the rest.
EVENT_COLUMNS = tuple(c.name for c in events.columns if c.computed is None)
PLACE_COLUMNS = tuple(c.name for c in places.columns)
