"""Building the events' secondary indexes once after a first load, not row by row.

Kept up to date row by row, the trigram indexes cost COPY ten times its own time (100,000
synthetic events: 48 s with every index, 5 s with the keys only, then 28 s to build them
all at once). While a database has no version no reader queries its events, so the first
load drops them, copies, and builds them again in the same transaction, from the
definitions the migrations made (read back from the catalogue, so nothing here repeats
the schema). Later loads rewrite only the rows that differ and keep the indexes: readers
query them meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# Memory for building each index (per process, for this transaction only).
BUILD_MEMORY = "512MB"


@contextmanager
def built_afterwards(connection: Connection) -> Iterator[None]:
    """Drop the events' indexes other than its keys for the block, then build them."""
    found = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = 'events'::regclass "
            "AND NOT i.indisprimary AND NOT i.indisunique"
        )
    ).all()
    for name, _ in found:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    connection.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
    for _, definition in found:
        connection.exec_driver_sql(definition)
