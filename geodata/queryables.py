"""What a CQL2 filter may name in each collection, and the columns it reads.

Besides the event format's own fields, two are derived so the questions researchers ask can
be put: ``deaths_min``, the least number of deaths an event reports (an integer, null when
none are reported), and ``publications``, the publications its sources cite, as text. They
are worked out once per loaded dataset and kept beside it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np
import orjson
import pandas as pd

from almaty_map.geodata.counts import lowest, normalise_count
from almaty_map.geodata.model import GEO_PRECISIONS, TIME_PRECISIONS

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset

T = TypeVar("T")
Kind = Literal["text", "integer", "boolean", "time", "geometry", "interval"]
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
GEOMETRY_SCHEMA = {"format": "geometry-any"}
# Joins a list field's items into the one text a LIKE reads.
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Queryable:
    name: str
    kind: Kind
    title: str
    enum: tuple[str, ...] = ()

    def schema(self) -> dict:
        types = {"text": "string", "integer": "integer", "boolean": "boolean"}
        schema: dict[str, object] = {"title": self.title}
        if self.kind in types:
            schema["type"] = types[self.kind]
        elif self.kind == "time":
            schema |= {"type": "string", "format": "date-time"}
        elif self.kind == "interval":
            item = {"type": "string", "format": "date-time"}
            schema |= {"type": "array", "minItems": 2, "maxItems": 2, "items": item}
        else:
            schema |= GEOMETRY_SCHEMA
        if self.enum:
            schema["enum"] = list(self.enum)
        return schema


def event_queryables(category_ids: tuple[str, ...]) -> tuple[Queryable, ...]:
    return (
        Queryable("id", "text", "Event id"),
        Queryable("title", "text", "Title"),
        Queryable("description", "text", "Description"),
        Queryable("category", "text", "Category", category_ids),
        Queryable("start", "time", "Start (an instant, in UTC in filters)"),
        Queryable("end", "time", "End, exclusive (null when not given)"),
        Queryable("interval", "interval", "The event's time span [start, end), for T_ functions"),
        Queryable("time_precision", "text", "Precision of the time", TIME_PRECISIONS),
        Queryable("place", "text", "Place as the sources name it"),
        Queryable("place_id", "text", "Reference place id"),
        Queryable("geo_precision", "text", "Precision of the location", GEO_PRECISIONS),
        Queryable("sensitive", "boolean", "A private location, shown coarsened"),
        Queryable("deaths_min", "integer", "The least number of deaths reported (null: none)"),
        Queryable("actors", "text", f"Actors, joined with '{LIST_SEPARATOR}'"),
        Queryable("publications", "text", f"Publications cited, joined with '{LIST_SEPARATOR}'"),
        Queryable("geometry", "geometry", "Location (CRS84 unless filter-crs says otherwise)"),
    )


PLACE_QUERYABLES = (
    Queryable("id", "text", "Place id"),
    Queryable("name", "text", "Name"),
    Queryable("name_kk", "text", "Name in Kazakh"),
    Queryable("name_ru", "text", "Name in Russian"),
    Queryable("kind", "text", "Kind of place"),
    Queryable("geometry", "geometry", "Location"),
)


def queryables_for(collection: str, category_ids: tuple[str, ...]) -> dict[str, Queryable]:
    found = event_queryables(category_ids) if collection == "events" else PLACE_QUERYABLES
    return {q.name: q for q in found}


def schema_document(collection: str, category_ids: tuple[str, ...], url: str) -> dict:
    """The collection's queryables as JSON Schema, as Part 3 asks."""
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": url,
        "type": "object",
        "title": f"Queryables of {collection}",
        "properties": {
            name: q.schema() for name, q in queryables_for(collection, category_ids).items()
        },
        "additionalProperties": False,
    }


# Each loaded dataset's columns as filters read them, made on first use and kept beside it.
_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def column(dataset: Dataset, collection: str, name: str) -> pd.Series:
    """A scalar queryable's values, one per feature, missing values as NA."""
    return remembered(dataset, (collection, name), lambda: _column(dataset, collection, name))


def remembered(dataset: Dataset, key: object, make: Callable[[], T]) -> T:
    """What ``make`` gives for this dataset, made once and kept as long as it is loaded."""
    kept = _COLUMNS.setdefault(dataset, {})
    if key not in kept:
        kept[key] = make()
    return kept[key]


def _column(dataset: Dataset, collection: str, name: str) -> pd.Series:
    if collection == "places":
        return dataset.places[name].astype("string")
    if name in ("deaths_min", "actors", "publications"):
        return _derive(dataset.events, name)
    values = dataset.events[name]
    return values if name in ("start", "end", "sensitive") else values.astype("string")


def _derive(events: pd.DataFrame, name: str) -> pd.Series:
    """The derived fields, read from the JSON text the frame keeps (once per dataset)."""
    if name == "deaths_min":
        least = [
            None if pd.isna(v) else lowest(normalise_count(orjson.loads(v)))
            for v in events["fatalities"]
        ]
        return pd.Series(pd.array(least, dtype="Int64"), index=events.index)
    if name == "actors":
        joined = [LIST_SEPARATOR.join(orjson.loads(v)) for v in events["actors"]]
    else:
        joined = [
            LIST_SEPARATOR.join(dict.fromkeys(s["publication"] for s in orjson.loads(v)))
            for v in events["sources"]
        ]
    return pd.Series(np.array(joined, dtype=object), index=events.index).astype("string")
