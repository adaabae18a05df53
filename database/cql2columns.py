"""Each scalar queryable of events as a SQL expression on the ``events`` table.

The files' evaluator reads the events frame, which is built from the stored rows by the
same code (``database.subset``): a sensitive event's precision is lowered there as its place
is coarsened, a missing description is empty text, and the derived queryables (deaths_min,
actors, publications, see ``geodata.queryables``) are worked out from the JSON kept per
event. Each expression here gives what that frame gives, NULL exactly where it has NA.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ColumnElement, Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from almaty_map.database.schema import events
from almaty_map.geodata.model import GEO_PRECISIONS, SENSITIVE_MIN_PRECISION
from almaty_map.geodata.queryables import LIST_SEPARATOR

# Stored as the frame reads them.
PLAIN = ("id", "title", "category", "start", "end", "time_precision", "place", "place_id")
# Precisions a sensitive event is shown at no finer than SENSITIVE_MIN_PRECISION.
_FINER = GEO_PRECISIONS[: GEO_PRECISIONS.index(SENSITIVE_MIN_PRECISION)]


def queryable_column(name: str) -> ColumnElement:
    """The queryable ``name`` (a scalar one of events) as the frame holds it."""
    if name in PLAIN or name == "sensitive":
        return events.c[name]
    if name == "description":
        return func.coalesce(events.c.description, "")
    if name == "geo_precision":
        shown = (events.c.sensitive & events.c.geo_precision.in_(_FINER), SENSITIVE_MIN_PRECISION)
        return case(shown, else_=events.c.geo_precision)
    if name == "deaths_min":
        return _least_deaths()
    if name == "actors":
        return _joined_actors()
    if name == "publications":
        return _joined_publications()
    raise KeyError(name)


def _least_deaths() -> ColumnElement:
    """``counts.lowest`` of the stored count: a bare number is exact, a range its minimum,
    an unnumbered report one; none reported is NULL."""
    count = events.c.fatalities
    kind = func.json_typeof(count)
    member = count.op("->>")
    return case(
        (count.is_(None) | (kind == "null"), None),
        (kind == "number", cast(cast(count, Text), BigInteger)),
        (member("kind") == "range", cast(member("min"), BigInteger)),
        (member("kind") == "unnumbered", literal(1, BigInteger)),
        else_=cast(member("count"), BigInteger),
    )


def _joined_actors() -> ColumnElement:
    """The actors in their order, joined; no actor is empty text (as ``str.join``)."""
    actor = func.json_array_elements_text(events.c.actors).table_valued(
        "value", "ordinality", with_ordinality="ordinality"
    )
    joined = func.string_agg(
        actor.c.value, aggregate_order_by(literal(LIST_SEPARATOR), actor.c.ordinality)
    )
    return func.coalesce(select(joined).select_from(actor).scalar_subquery(), "")


def _joined_publications() -> ColumnElement:
    """Each publication the sources cite, once, in the order first cited, joined."""
    source = func.json_array_elements(events.c.sources).table_valued(
        "value", "ordinality", with_ordinality="ordinality"
    )
    name = source.c.value.op("->>")("publication")
    first = (
        select(name.label("name"), func.min(source.c.ordinality).label("at"))
        .select_from(source)
        .group_by(name)
        .subquery()
    )
    joined = func.string_agg(first.c.name, aggregate_order_by(literal(LIST_SEPARATOR), first.c.at))
    return func.coalesce(select(joined).scalar_subquery(), "")
