"""Alembic's entry point: migrations run on the connection ``database.migrate`` hands over
(never on a URL from a configuration file, so there is one way in: ``almaty-map db``)."""

from __future__ import annotations

from alembic import context

from almaty_map.database.schema import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
