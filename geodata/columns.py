"""How a table's columns (a CSV, a spreadsheet, a KML's fields) become the event format:
``format`` and the ``[columns]`` table of ``dataset.toml``.

A researcher's file keeps its own headings ("Date", "Lat", "event_type") and its own codes
("1" for the most precise place). Rather than have them rewrite the file, ``[columns]`` says
which heading holds which field and ``[columns.values.FIELD]`` which of their values means
which of ours; ``format = "acled"`` starts from the built-in mapping of ACLED's export.
Without a ``[columns]`` table the headings are the field names themselves, which is what
``almaty-map query --format csv`` writes, so the tool's own CSV reads back as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from almaty_map.geodata.model import EVENT_FIELDS, SOURCE_FIELDS
from almaty_map.geodata.tomlread import TomlReader

PRESETS = ("acled",)
# What a heading can hold besides the event fields: the coordinates (or a WKT geometry), and
# one source cited in columns of its own, for a spreadsheet typed by hand.
COORDINATES = ("latitude", "longitude", "geometry")
SOURCE_PARTS = tuple(f"source_{name}" for name in SOURCE_FIELDS)
TARGETS = (*EVENT_FIELDS, *COORDINATES, *SOURCE_PARTS)
# Headings tried for a geometry given as Well-Known Text, when [columns] names none.
WKT_HEADINGS = ("geometry_wkt", "wkt", "WKT", "geometry")
# Fields whose values [columns.values] may translate (codes, not free text).
VALUE_FIELDS = ("category", "time_precision", "geo_precision", "sensitive", "place_id")
OPTION_KEYS = ("sheet", "values", "defaults")
EXPECTED = (
    'headings of your file by field, e.g. title = "Headline", latitude = "Lat", and '
    '[columns.values.category] tables ("Peaceful protest" = "protest")'
)


@dataclass(frozen=True)
class ColumnMap:
    """Which heading holds which target (a field, a coordinate, a source part), how their
    values translate, and which sheet of a workbook to read."""

    preset: str | None = None
    headings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    sheet: str | None = None
    # A value for every row whose cell is empty or whose file has no such column.
    defaults: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def heading(self, target: str) -> str:
        """The file's heading for a target: as mapped, or the target's own name."""
        return self.headings.get(target, target)

    @property
    def given(self) -> bool:
        return bool(self.headings or self.values or self.preset or self.sheet or self.defaults)


def read_columns(reader: TomlReader) -> ColumnMap:
    """The ``format`` and ``[columns]`` of dataset.toml, every problem reported."""
    preset = reader.raw.get("format")
    if preset is not None and preset not in PRESETS:
        reader.fail("format", "is not a known format", preset, " | ".join(PRESETS))
        preset = None
    table = reader.raw.get("columns", {})
    if not isinstance(table, dict):
        reader.fail("columns", "is not a table", table, EXPECTED)
        return ColumnMap(preset)
    headings: dict[str, str] = {}
    for key, value in table.items():
        if key in OPTION_KEYS:
            continue
        if key not in TARGETS:
            expected = "a field of the event format, latitude, longitude, geometry or source_*"
            reader.fail(f"columns.{key}", "is not a field to map", key, expected)
        elif not isinstance(value, str) or not value.strip():
            reader.fail(f"columns.{key}", "is not a heading", value, "the heading as text")
        else:
            headings[key] = value
    sheet = reader.text(table, "sheet", "columns.sheet", required=False) or None
    values = _values(reader, table.get("values", {}))
    return ColumnMap(preset, MappingProxyType(headings), values, sheet, _defaults(reader, table))


def _defaults(reader: TomlReader, table: dict) -> MappingProxyType:
    """``[columns.defaults]``: field = the value of every row that gives none
    (``time_precision = "day"`` for a sheet of dates)."""
    given = table.get("defaults", {})
    if not isinstance(given, dict):
        reader.fail("columns.defaults", "is not a table", given, 'field = "value"')
        return MappingProxyType({})
    out = {}
    for name, value in given.items():
        if name not in EVENT_FIELDS:
            reader.fail(f"columns.defaults.{name}", "is not a field", name, "a field name")
        elif not isinstance(value, str | bool | int):
            reader.fail(f"columns.defaults.{name}", "is not a value", value, "text")
        else:
            out[name] = value
    return MappingProxyType(out)


def _values(reader: TomlReader, table: object) -> MappingProxyType:
    """``[columns.values.FIELD]``: the file's value (as text) -> the format's value."""
    if not isinstance(table, dict):
        reader.fail("columns.values", "is not a table", table, EXPECTED)
        return MappingProxyType({})
    out: dict[str, MappingProxyType] = {}
    for name, mapping in table.items():
        where = f"columns.values.{name}"
        if name not in VALUE_FIELDS:
            reader.fail(
                where, "is not a field whose values are mapped", name, ", ".join(VALUE_FIELDS)
            )
            continue
        if not isinstance(mapping, dict):
            reader.fail(where, "is not a table", mapping, '"their value" = "our value"')
            continue
        pairs = {}
        for theirs, ours in mapping.items():
            if isinstance(ours, str | bool):
                pairs[str(theirs)] = ours
            else:
                reader.fail(f"{where}.{theirs}", "is not a value", ours, "text (or true/false)")
        out[name] = MappingProxyType(pairs)
    return MappingProxyType(out)
