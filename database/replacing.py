"""Making the new version's events current by writing only the rows that differ.

The new events are copied into a temporary table first; the database then finds, in one
join on the id, which events were added, removed or have a different stored row. Only those
are deleted and written, so a new version of a million events that changes a thousand
rewrites a thousand rows and their index entries, not a million; and the diff's features
are built for those events only. Readers see the previous version until the load commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Table,
    Text,
    Tuple,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)

from almaty_map.database.schema import EVENT_COLUMNS, events

# Temporary tables (dropped at commit): the new events as copied, and which ids differ.
STAGING = "incoming"
staged = events.to_metadata(MetaData(), name=STAGING)
differing = Table("differing", MetaData(), Column("new_id", Text), Column("old_id", Text))
# A stored row is the event as the file says it; ``geom`` is made from ``geometry``.
_CONTENT = tuple(name for name in EVENT_COLUMNS if name not in ("position", "id", "geom"))
# What the map's stored cells are made of (with the id): an event whose other columns
# alone changed (a title, a source) is drawn as before, by the same cells.
_DRAWN = (
    "position",
    "category",
    "start",
    "end",
    "time_precision",
    "geo_precision",
    "sensitive",
    "geometry",
)


@dataclass(frozen=True)
class Differences:
    added: list[str]
    removed: list[str]
    rewritten: list[str]  # on both sides, with a different stored row
    same: int  # on both sides, the same stored row


def stage(connection: Connection) -> None:
    """The temporary tables a load compares the new events in."""
    connection.execute(text("CREATE TEMP TABLE incoming (LIKE events) ON COMMIT DROP"))
    connection.execute(
        text("CREATE TEMP TABLE differing (new_id text, old_id text) ON COMMIT DROP")
    )


def compare(connection: Connection) -> Differences:
    """Which staged events differ from the current ones (kept in ``differing`` for
    ``replace`` and for ``previous_rows``)."""
    connection.execute(text("ANALYZE incoming"))  # temporary tables are never analysed
    connection.execute(text("SET LOCAL work_mem = '256MB'"))  # the join's hash in memory
    new, old = staged.alias("i"), events.alias("e")
    pairs = (
        select(new.c.id, old.c.id)
        .select_from(new.outerjoin(old, old.c.id == new.c.id, full=True))
        .where(or_(new.c.id.is_(None), old.c.id.is_(None), _row(new).is_distinct_from(_row(old))))
    )
    connection.execute(insert(differing).from_select(["new_id", "old_id"], pairs))
    found = connection.execute(select(differing.c.new_id, differing.c.old_id)).all()
    count = connection.execute(select(func.count()).select_from(staged)).scalar_one()
    added = sorted(new for new, old in found if old is None)
    rewritten = sorted(new for new, old in found if new is not None and old is not None)
    return Differences(
        added=added,
        removed=sorted(old for new, old in found if new is None),
        rewritten=rewritten,
        same=count - len(added) - len(rewritten),
    )


def changes_drawing(connection: Connection) -> bool:
    """Whether an event rewritten by the load (``compare`` must have run, ``replace`` not
    yet) is drawn differently: in another place, time, category, precision or order."""
    new, old = staged.alias("i"), events.alias("e")
    pairs = differing.join(new, new.c.id == differing.c.new_id).join(
        old, old.c.id == differing.c.old_id
    )
    changed = select(literal(1)).select_from(pairs)
    changed = changed.where(_row(new, _DRAWN).is_distinct_from(_row(old, _DRAWN)))
    return connection.execute(select(changed.exists())).scalar_one()


def replace(connection: Connection) -> int:
    """Make the staged events current: delete what was removed or rewritten, move kept rows
    to their new positions, insert what is new or rewritten. Returns how many kept rows
    moved."""
    connection.execute(delete(events).where(events.c.id == differing.c.old_id))
    # Through negative positions, which no row holds, so the unique key never clashes
    # while rows change places.
    moved = connection.execute(
        update(events)
        .values(position=-1 - staged.c.position)
        .where(events.c.id == staged.c.id, events.c.position != staged.c.position)
    )
    connection.execute(
        update(events).values(position=-1 - events.c.position).where(events.c.position < 0)
    )
    new = select(*(staged.c[name] for name in EVENT_COLUMNS)).join(
        differing, differing.c.new_id == staged.c.id
    )
    connection.execute(insert(events).from_select(list(EVENT_COLUMNS), new))
    return moved.rowcount


def previous_rows() -> ColumnElement[bool]:
    """The condition on ``events`` that selects the previous rows the diff needs: those
    removed or rewritten (``compare`` must have run)."""
    old_ids = select(differing.c.old_id).where(differing.c.old_id.isnot(None))
    return events.c.id.in_(old_ids)


def _row(table, names: tuple[str, ...] = _CONTENT) -> Tuple:
    """The stored row's content as a row value (JSON compared as its text)."""
    return tuple_(
        *(
            cast(table.c[name], Text) if isinstance(table.c[name].type, JSON) else table.c[name]
            for name in names
        )
    )
