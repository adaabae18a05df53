"""The event format in one place: field names, allowed values and what they mean.

The JSON Schema in ``geodata/schema/``, the README's field table, the validator and the map's
precision circles all read these values, so they cannot drift apart (a test checks the
schema and the README against this module).
"""

from __future__ import annotations

from types import MappingProxyType

EVENT_FIELDS = (
    "id",
    "title",
    "description",
    "category",
    "start",
    "end",
    "time_precision",
    "time_source",
    "place",
    "place_id",
    "geo_precision",
    "location_source",
    "fatalities",
    "fatalities_source",
    "actors",
    "sources",
    "sensitive",
    "translations",
)
# Which of an event's sources supports its place, its time and its figures (positions in
# ``sources``), so that no precise claim rests on nothing.
CLAIM_FIELDS = ("location_source", "time_source", "fatalities_source")
# Optional fields that hold lists or objects, kept as JSON text after loading (null when
# absent) and written back as JSON in every format.
JSON_FIELDS = ("fatalities", *CLAIM_FIELDS, "translations")
REQUIRED_EVENT_FIELDS = (
    "id",
    "title",
    "category",
    "start",
    "time_precision",
    "place",
    "geo_precision",
    "sources",
)
# The fields that decide how exactly a location is published: a misspelling of one is an
# error, not a warning (see ``checks.keys``).
PRIVACY_FIELDS = ("sensitive", "geo_precision")
SOURCE_FIELDS = ("publication", "title", "author", "date", "url", "quote", "note")
REQUIRED_SOURCE_FIELDS = ("publication", "title", "date")
PLACE_FIELDS = ("id", "name", "names", "kind")
REQUIRED_PLACE_FIELDS = ("id", "name", "kind")
# The keys places had before ``names``, read as its entries so older files keep working.
LEGACY_NAME_FIELDS = MappingProxyType({"name_kk": "kk", "name_ru": "ru"})
# What an event may give in other languages, under ``translations``.
TRANSLATED_FIELDS = ("title", "place", "description")

TIME_PRECISIONS = ("exact", "hour", "day", "week", "month")

# Radius in metres of the circle a location of this precision is drawn with.
GEO_PRECISION_RADIUS_M = MappingProxyType(
    {"exact": 0, "approximate": 250, "area": 1000, "city": 10000}
)
GEO_PRECISIONS = tuple(GEO_PRECISION_RADIUS_M)
# Places and times finer than these need a quoted source (``location_source``,
# ``time_source``), or validation warns.
PRECISE_PLACES = ("exact", "approximate", "area")
PRECISE_TIMES = ("exact", "hour")

GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")

# Sensitive locations are moved to the centre of a grid cell of this size (degrees), about
# 1.1 km north-south and 0.8 km east-west at Almaty's latitude.
SENSITIVE_GRID_DEG = 0.01
# Most events one map or download may hold (ALMATY_MAP_MAX_EXPORT_EVENTS): more would take
# minutes and hundreds of megabytes to build, and a browser could not open it.
MAX_EXPORT_EVENTS = 250_000
SENSITIVE_MIN_PRECISION = "area"

QUOTE_WARN_CHARS = 400

# How time can be cut into slices: the dataset's named periods, or calendar units.
SLICE_KINDS = ("period", "day", "week", "month")
