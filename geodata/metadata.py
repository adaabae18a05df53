"""The dataset's own description: ``dataset.toml``.

It holds what the events share (title, credits, timezone, categories, named periods) so that
each event stays small and a newsroom can re-label a map without touching the events.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from almaty_map.geodata.columns import ColumnMap, read_columns
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.figures import Figure, read_figures
from almaty_map.geodata.languagetags import TAG_EXPECTED, is_tag, standard_tag
from almaty_map.geodata.timeparse import (
    IN_RANGE,
    TimeValueError,
    in_range,
    local_midnight,
    parse_instant,
)
from almaty_map.geodata.tomlread import TomlReader, load_toml

FILE = "dataset.toml"
# A description, not data: a larger dataset.toml is a mistake (or a link to a device).
MAX_BYTES = 2**20
SYMBOLS = ("circle", "square", "triangle", "diamond", "star", "cross", "hexagon", "triangle-down")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
TOP_KEYS = (
    "title",
    "summary",
    "version",
    "licence",
    "credits",
    "timezone",
    "language",
    "languages",
    "extent",
    "categories",
    "periods",
    "figures",
    "format",
    "columns",
)
# Arrays of tables: a key written after one of them belongs to its last table, not to the
# dataset (TOML's rule, easy to miss when adding a line at the end of the file).
TABLE_ARRAYS = ("categories", "periods", "figures")
CATEGORY_KEYS = ("id", "label", "colour", "symbol")
PERIOD_KEYS = ("label", "start", "end", "caption")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    colour: str
    symbol: str


@dataclass(frozen=True)
class Period:
    """A named stretch of time, [start, end), used as a default time slice."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    caption: str = ""


@dataclass(frozen=True)
class Metadata:
    title: str
    summary: str
    version: str
    licence: str
    credits: str
    timezone: str
    language: str
    categories: tuple[Category, ...]
    periods: tuple[Period, ...]
    extent: tuple[float, float, float, float] | None = None
    figures: tuple[Figure, ...] = ()
    # The interface languages to offer, the default first; empty: ``language`` and English.
    languages: tuple[str, ...] = ()
    # How a table's headings and values map to the event format (see ``columns``).
    columns: ColumnMap = field(default_factory=ColumnMap)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.categories)

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)


def read_metadata(folder: Path) -> tuple[Metadata | None, list[Problem]]:
    """Read and check ``dataset.toml``; return the metadata (None if unusable) and problems."""
    raw, problems = load_toml(folder / FILE, required=True, max_bytes=MAX_BYTES)
    if raw is None:
        return None, problems
    reader = TomlReader(raw, FILE)
    title = reader.text(raw, "title", "title")
    timezone = _timezone(reader)
    categories = _categories(reader)
    periods = _periods(reader, ZoneInfo(timezone) if timezone else None)
    extent = _extent(reader)
    meta = Metadata(
        title=title,
        summary=reader.text(raw, "summary", "summary", required=False),
        version=str(raw.get("version", "")),
        licence=reader.text(raw, "licence", "licence", required=False),
        credits=reader.text(raw, "credits", "credits", required=False),
        timezone=timezone or "UTC",
        language=_language(reader),
        categories=categories,
        periods=periods,
        extent=extent,
        figures=read_figures(reader),
        languages=_languages(reader),
        columns=read_columns(reader),
    )
    reader.lookalikes(raw, TOP_KEYS)
    _misplaced(reader)
    failed = any(p.severity == "error" for p in reader.problems)
    return (None if failed else meta), reader.problems


def _misplaced(reader: TomlReader) -> None:
    """Warn of a dataset key inside a [[table]]: the bundled dataset's ``extent`` sat under
    its last ``[[figures]]`` for a year, read as part of that figure and ignored, so its
    events were never checked against the extent."""
    for array in TABLE_ARRAYS:
        items = reader.raw.get(array)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            stray = [k for k in item if k in TOP_KEYS] if isinstance(item, dict) else []
            for key in stray:
                reader.warn(
                    f"{array}[{i}].{key}",
                    f"belongs to the dataset, but in TOML every key after a [[{array}]] line "
                    f"belongs to that table, so it is ignored; move it above the first [[…]]",
                    expected=f"'{key}' before the first [[…]] table",
                )


def _timezone(reader: TomlReader) -> str | None:
    name = reader.text(reader.raw, "timezone", "timezone")
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name that is a folder of the zone database (IsADirectoryError), or a
        # file in it that cannot be read; neither is a zone.
        reader.fail("timezone", "is not a known timezone", name, "an IANA name like Asia/Almaty")
        return None
    return name


def _language(reader: TomlReader) -> str:
    """The data's language (its titles, places, descriptions) as a tag; English if unsaid."""
    tag = reader.text(reader.raw, "language", "language", required=False) or "en"
    if not is_tag(tag):
        reader.fail("language", "is not a language tag", tag, TAG_EXPECTED)
    return tag


def _languages(reader: TomlReader) -> tuple[str, ...]:
    """The interface languages to offer, as declared (which have catalogues is the
    interface's business: see ``language.offer``)."""
    value = reader.raw.get("languages")
    if value is None:
        return ()
    expected = 'a list of language tags, the default first, e.g. ["es", "en"]'
    if not isinstance(value, list) or not value:
        reader.fail("languages", "is not a list of language tags", value, expected)
        return ()
    seen: set[str] = set()
    for i, tag in enumerate(value):
        if not is_tag(tag):
            reader.fail(f"languages[{i}]", "is not a language tag", tag, TAG_EXPECTED)
        elif standard_tag(tag) in seen:
            reader.fail(f"languages[{i}]", "is listed twice", tag, "each language once")
        else:
            seen.add(standard_tag(tag))
    return tuple(value)


def _categories(reader: TomlReader) -> tuple[Category, ...]:
    items = reader.raw.get("categories")
    if not isinstance(items, list) or not items:
        reader.fail(
            "categories",
            "must list at least one category",
            items,
            "[[categories]] tables with id, label and colour",
        )
        return ()
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        where = f"categories[{i}]"
        if not isinstance(item, dict):
            reader.fail(where, "is not a table", item, "a table with id, label and colour")
            continue
        reader.lookalikes(item, CATEGORY_KEYS, f"{where}.")
        cid = reader.text(item, "id", f"{where}.id")
        if cid and not _ID.fullmatch(cid):
            reader.fail(f"{where}.id", "is not a usable id", cid, "letters, digits, _ . -")
        if cid in seen:
            reader.fail(f"{where}.id", "is declared twice", cid, "unique category ids")
        seen.add(cid)
        colour = reader.text(item, "colour", f"{where}.colour")
        if colour and not _COLOUR.fullmatch(colour):
            reader.fail(f"{where}.colour", "is not a colour", colour, "#rrggbb")
        symbol = item.get("symbol", SYMBOLS[i % len(SYMBOLS)])
        if symbol not in SYMBOLS:
            reader.fail(f"{where}.symbol", "is not a known symbol", symbol, " | ".join(SYMBOLS))
        out.append(Category(cid, reader.text(item, "label", f"{where}.label"), colour, symbol))
    return tuple(out)


def _moment(reader: TomlReader, value: object, where: str, tz: ZoneInfo | None):
    """A period bound in the years times are kept for."""
    stamp = _read_moment(reader, value, where, tz)
    if stamp is not None and not in_range(stamp):
        reader.fail(where, "is outside the years 1678 to 2261", value, IN_RANGE)
        return None
    return stamp


def _read_moment(reader: TomlReader, value: object, where: str, tz: ZoneInfo | None):
    """A TOML or ISO date-time with offset, or a date (local midnight)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            reader.fail(where, "has no UTC offset", value, "a date-time with an offset")
            return None
        return pd.Timestamp(value)
    if isinstance(value, dt.date):
        return local_midnight(value, tz) if tz else None
    if isinstance(value, str):
        try:
            if _DATE.fullmatch(value):
                return local_midnight(dt.date.fromisoformat(value), tz) if tz else None
            return parse_instant(value)
        except (TimeValueError, ValueError) as exc:
            reader.fail(where, "is not a date or date-time", value, str(exc).split(",")[0])
            return None
    reader.fail(where, "is missing or not a date", value, "a date or date-time with offset")
    return None


def _periods(reader: TomlReader, tz: ZoneInfo | None) -> tuple[Period, ...]:
    items = reader.raw.get("periods", [])
    if not isinstance(items, list):
        reader.fail("periods", "is not a list", items, "[[periods]] tables")
        return ()
    out: list[Period] = []
    labels: set[str] = set()
    for i, item in enumerate(items):
        where = f"periods[{i}]"
        if not isinstance(item, dict):
            reader.fail(where, "is not a table", item, "a table with label, start and end")
            continue
        reader.lookalikes(item, PERIOD_KEYS, f"{where}.")
        label = reader.text(item, "label", f"{where}.label")
        if label in labels:
            reader.fail(f"{where}.label", "is used twice", label, "unique period labels")
        labels.add(label)
        start = _moment(reader, item.get("start"), f"{where}.start", tz)
        end = _moment(reader, item.get("end"), f"{where}.end", tz)
        if start is None or end is None:
            continue
        if end <= start:
            reader.fail(f"{where}.end", "is not after start", str(end), f"after {start}")
            continue
        caption = reader.text(item, "caption", f"{where}.caption", required=False)
        out.append(Period(label, start.tz_convert(tz), end.tz_convert(tz), caption))
    for i, (before, after) in enumerate(pairwise(out)):
        if after.start < before.end:
            reader.fail(
                f"periods[{i + 1}].start",
                "overlaps or precedes the period before it",
                str(after.start),
                f"periods in order, not overlapping (>= {before.end})",
            )
    return tuple(out)


def _extent(reader: TomlReader) -> tuple[float, float, float, float] | None:
    value = reader.raw.get("extent")
    if value is None:
        return None
    ok = (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )
    if ok:
        minx, miny, maxx, maxy = (float(v) for v in value)
        ok = -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90
    if not ok:
        reader.fail(
            "extent",
            "is not a bounding box",
            value,
            "[min_lon, min_lat, max_lon, max_lat] in WGS84",
        )
        return None
    return minx, miny, maxx, maxy
