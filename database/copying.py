"""Writing checked events to the database with COPY, a chunk at a time.

A chunk's columns are already Arrow arrays (``geodata.compact``), so they are written as
CSV by Arrow's C++ writer and sent to COPY as they are: no Python tuple per row. Rows are
written as the file holds them, before any coarsening (the database keeps what the files
say; readers get sensitive places coarsened by the loader, as from files).
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely
from psycopg import Copy, sql
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection

from almaty_map.database.schema import EVENT_COLUMNS, SRID
from almaty_map.geodata.compact import PLAIN_TEXT_COLUMNS, CompactEvents

# Columns kept as JSON text, each from the compact column of that name.
_JSON_COLUMNS = {
    "time_source": "time_source_json",
    "location_source": "location_source_json",
    "fatalities": "fatalities_json",
    "fatalities_source": "fatalities_source_json",
    "actors": "actors_json",
    "sources": "sources_json",
    "translations": "translations_json",
    "extra": "extra_json",
}
_CSV = pa_csv.WriteOptions(include_header=False, batch_size=4096)
# Chunks handed to the sending thread and not yet sent (each keeps its columns alive).
_CHUNKS_AHEAD = 2


@contextmanager
def copying(
    connection: Connection, table: str, columns: tuple[str, ...], frozen: bool = False
) -> Iterator[Copy]:
    """A COPY of CSV into ``table`` on the transaction's own connection. Its data is sent
    by a thread of its own, so the server takes in one chunk while the next is parsed.

    ``frozen`` (only for a table emptied by TRUNCATE in this transaction) writes the rows
    already frozen: otherwise the first query after the load rewrites every page of the
    table to mark its rows committed (127,000 pages at a million events), and a vacuum
    writes them all again later to freeze them."""
    options = sql.SQL("FORMAT csv, FREEZE" if frozen else "FORMAT csv")
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), options
    )
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        yield copy


@contextmanager
def writing_events(copy: Copy) -> Iterator[Callable[[CompactEvents, int], int]]:
    """A function that sends a chunk's events into ``copy``, positions counted from the
    one given, and says how many rows that is. Its CSV is made and sent by a thread of
    its own (Arrow and Shapely work without the GIL), so the loader reads and checks the
    next chunk meanwhile instead of waiting (100,000 events on a busy machine: 3.0 s spent
    in the callback before, 0.1 s now). Every chunk is sent, in order, before the block
    ends; an error in one is raised here."""
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="almaty-map-copy") as sender:

        def write(chunk: CompactEvents, first_position: int) -> int:
            while len(pending) >= _CHUNKS_AHEAD:
                pending.popleft().result()
            # A dict of its own: the reader takes the columns out of its chunks at the end.
            own = replace(chunk, columns=dict(chunk.columns))
            pending.append(sender.submit(_send, copy, own, first_position))
            return int(np.count_nonzero(np.asarray(chunk.live, dtype=bool)))

        yield write
        while pending:
            pending.popleft().result()


def _send(copy: Copy, chunk: CompactEvents, first_position: int) -> None:
    copy.write(event_csv(chunk, first_position))


def event_csv(chunk: CompactEvents, first_position: int) -> bytes:
    """The chunk's events (those that are features) as CSV rows in EVENT_COLUMNS order,
    positions counted from ``first_position``."""
    out = io.BytesIO()
    pa_csv.write_csv(event_table(chunk, first_position), out, _CSV)
    return out.getvalue()


def event_table(chunk: CompactEvents, first_position: int) -> pa.Table:
    """The rows ``event_csv`` writes, as a table (the desk stores a checked feature as a
    load would, and reads it back as ``dumping.event_feature`` writes it)."""
    live = pa.array(np.asarray(chunk.live, dtype=bool))
    cols = chunk.columns
    geometries = chunk.geometries()[chunk.live]
    count = len(geometries)
    values: dict[str, pa.Array] = {
        "position": pa.array(np.arange(first_position, first_position + count, dtype=np.int64)),
        **{name: cols[name].filter(live) for name in PLAIN_TEXT_COLUMNS},
        **{name: cols[source].filter(live) for name, source in _JSON_COLUMNS.items()},
        "start": _times(cols["start"], live),
        "end": _times(cols["end"], live),
        "sensitive": pa.array(np.asarray(cols["sensitive"], dtype=bool)).filter(live),
        "geometry": _geometry_json(cols["geometry_json"].filter(live), geometries),
        "geom": pa.array(ewkb(geometries), pa.string()),
    }
    return pa.table({name: values[name] for name in EVENT_COLUMNS})


def ewkb(geometries) -> np.ndarray:
    """Shapes as hex EWKB with the SRID, which COPY reads straight into a geometry column;
    flat, as the column is: a height (every coordinate of a KML has one) stopped the load."""
    with_srid = shapely.set_srid(np.asarray(geometries, dtype=object), SRID)
    return shapely.to_wkb(with_srid, hex=True, include_srid=True, output_dimension=2)


def _times(column, live: pa.Array) -> pa.Array:
    return pa.Array.from_pandas(column).cast(pa.timestamp("us", tz="UTC")).filter(live)


def _geometry_json(texts: pa.Array, geometries: np.ndarray) -> pa.Array:
    """The geometry's GeoJSON as read; written from the shape where the reader kept none
    (a geometry made from coordinates or a place)."""
    missing = texts.is_null().to_numpy(zero_copy_only=False)
    if not missing.any():
        return texts
    filled = np.array(texts.to_pylist(), dtype=object)
    filled[missing] = shapely.to_geojson(geometries[missing])
    return pa.array(filled, pa.string())
