"""What ``almaty-map init`` proposes for a file of events: the column mapping, the categories
(with colours and symbols), one period per month and the timezone, as a dataset.toml.

The proposal is made from the file itself: its headings are matched to fields by name and
by common synonyms ("Lat", "Date", "Headline"), ACLED's export is recognised by its columns,
and the file is then read with that mapping, by the loader's own readers, to list the
categories and months it holds. What cannot be known from the file (the timezone of a
country with several, the dataset's title, labels worth more than a slug) is listed for the
person to decide.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pandas as pd
from babel import Locale
from babel.core import get_global

from almaty_map.geodata import acled
from almaty_map.geodata.columns import ColumnMap
from almaty_map.geodata.metadata import SYMBOLS
from almaty_map.geodata.model import EVENT_FIELDS
from almaty_map.geodata.readers.cells import as_text, is_empty
from almaty_map.geodata.readers.files import read_features
from almaty_map.geodata.readers.rows import Layout

# Okabe and Ito's palette: told apart with every common colour-vision deficiency.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000")
# Headings that mean a field, after lower-casing and turning separators into "_"; with the
# names a Shapefile cuts the longer fields to (ten characters; GDAL numbers a clash).
SYNONYMS = {
    "id": ("id", "ref", "reference", "event_id", "uid", "no", "number"),
    "title": ("title", "headline", "name", "event"),
    "description": (
        "description",
        "descriptio",
        "details",
        "what_happened",
        "text",
        "summary",
        "notes",
    ),
    "category": ("category", "type", "event_type", "kind", "folder"),
    "start": ("start", "date", "when", "datetime", "event_date", "start_date", "time"),
    "end": ("end", "end_date", "until"),
    "time_precision": ("time_precision", "time_preci", "precision_of_time", "date_precision"),
    "time_source": ("time_source", "time_sourc"),
    "place": ("place", "location", "address", "where", "site"),
    "geo_precision": (
        "geo_precision",
        "geo_precis",
        "precision_of_place",
        "location_precision",
        "precision",
    ),
    "location_source": ("location_source", "location_s"),
    "fatalities": ("fatalities", "deaths", "killed", "dead"),
    "fatalities_source": ("fatalities_source", "fataliti_1"),
    "actors": ("actors", "actor", "who", "involved"),
    "sensitive": ("sensitive", "private"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "geometry": ("geometry_wkt", "wkt", "geometry"),
    "source_publication": ("source", "outlet", "publication", "publisher", "media"),
    "source_title": ("article", "source_title", "article_title"),
    "source_date": ("published", "source_date", "publication_date"),
    "source_url": ("url", "link", "source_url"),
    "source_quote": ("quote", "source_quote"),
}
_SEPARATORS = re.compile(r"[^0-9a-z]+")


@dataclass
class Proposal:
    """A dataset.toml's content, and what the person must still decide."""

    title: str
    timezone: str
    columns: ColumnMap
    categories: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    periods: list[tuple[str, str, str]] = field(default_factory=list)  # (label, start, end)
    decide: list[str] = field(default_factory=list)


def _plain(heading: str) -> str:
    return _SEPARATORS.sub("_", heading.lower()).strip("_")


def propose_columns(headings: list[str]) -> ColumnMap:
    """The mapping of headings to fields: ACLED's preset, or each field's heading by name."""
    if acled.is_acled(headings):
        return ColumnMap(preset="acled")
    by_plain = {_plain(h): h for h in reversed(headings)}
    found: dict[str, str] = {}
    taken: set[str] = set()
    for target, names in SYNONYMS.items():
        heading = next((by_plain[n] for n in names if by_plain.get(n) not in (None, *taken)), None)
        if heading is not None:
            found[target] = heading
            taken.add(heading)
    mapped = {t: h for t, h in found.items() if h != t}
    return ColumnMap(headings=MappingProxyType(mapped))


def country_timezone(countries: set[str]) -> str | None:
    """The timezone of the one country named, when that country has only one."""
    if len(countries) != 1:
        return None
    name = next(iter(countries))
    codes = [code for code, title in Locale("en").territories.items() if title == name]
    zones = get_global("territory_zones").get(codes[0], ()) if codes else ()
    return zones[0] if len(zones) == 1 else None


def read_values(path: Path, columns: ColumnMap, tz: ZoneInfo, limit: int) -> pd.DataFrame:
    """The file's categories, starts (as read with the proposed mapping) and countries."""
    reading = read_features(path, EVENT_FIELDS, limit, layout=Layout(columns, tz))
    parts = []
    for table in reading.chunks:
        extras = table.extras
        parts.append(
            pd.DataFrame(
                {
                    "category": [_code(v) for v in table.columns["category"]],
                    "start": [v if isinstance(v, str) else None for v in table.columns["start"]],
                    "country": [(e or {}).get("country") for e in extras],
                    "label": [(e or {}).get("event_type") for e in extras],
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _code(value: object) -> str | None:
    return None if is_empty(value) or not isinstance(value, str | int | float) else as_text(value)


def propose(path: Path, columns: ColumnMap, timezone: str | None, limit: int) -> Proposal:
    """The whole proposal for the file at ``path`` (already in the new dataset's folder)."""
    guess = timezone or "UTC"
    values = read_values(path, columns, ZoneInfo(guess), limit)
    proposal = Proposal(path.parent.name.replace("-", " ").capitalize(), guess, columns)
    proposal.decide.append(f"the dataset's title (now {proposal.title!r})")
    if timezone is None:
        _decide_timezone(proposal, values)
        if proposal.timezone != guess:
            values = read_values(path, columns, ZoneInfo(proposal.timezone), limit)
    _categories(proposal, values)
    _periods(proposal, values)
    return proposal


def _decide_timezone(proposal: Proposal, values: pd.DataFrame) -> None:
    countries = set(values.get("country", pd.Series(dtype=object)).dropna())
    zone = country_timezone(countries)
    if zone:
        proposal.timezone = zone
        return
    where = f" ({', '.join(sorted(countries))} has several)" if len(countries) == 1 else ""
    proposal.decide.insert(
        0,
        f"the timezone: it could not be known from the file{where}, so dates are read in UTC "
        "for now; set timezone in dataset.toml (an IANA name such as Asia/Almaty)",
    )


def _categories(proposal: Proposal, values: pd.DataFrame) -> None:
    """One category per distinct value; an id that is not usable as one is slugged, and the
    file's value mapped to it."""
    if values.empty or values["category"].dropna().empty:
        proposal.categories.append(("event", "Event"))
        proposal.columns = _with(proposal.columns, defaults={"category": "event"})
        proposal.decide.append("categories: the file has none, so every event is 'event'")
        return
    labels = values.dropna(subset=["category"]).drop_duplicates("category")
    mapping = {}
    for value, label in zip(labels["category"], labels["label"], strict=True):
        ident = acled.slug(value)
        if ident != value and proposal.columns.preset is None:
            mapping[value] = ident
        proposal.categories.append((ident, label if isinstance(label, str) else value))
    if mapping:
        proposal.columns = _with(proposal.columns, values={"category": mapping})
    proposal.decide.append(
        f"the labels and colours of the {len(proposal.categories)} categories (edit the "
        "[[categories]] tables)"
    )


def _with(columns: ColumnMap, **tables: dict) -> ColumnMap:
    merged = {
        name: MappingProxyType({**getattr(columns, name), **{k: _frozen(v) for k, v in t.items()}})
        for name, t in tables.items()
    }
    return ColumnMap(**{**columns.__dict__, **merged})


def _frozen(value: object) -> object:
    return MappingProxyType(value) if isinstance(value, dict) else value


def _periods(proposal: Proposal, values: pd.DataFrame) -> None:
    """One period per calendar month from the first event's to the last's."""
    given = values.get("start", pd.Series(dtype=object))  # none: a file without events
    starts = pd.to_datetime(given, format="ISO8601", utc=True, errors="coerce").dropna()
    if starts.empty:
        proposal.decide.append("periods: no event has a start time that could be read")
        return
    local = starts.dt.tz_convert(proposal.timezone)
    first = local.min().tz_localize(None).to_period("M")
    last = local.max().tz_localize(None).to_period("M")
    for month in pd.period_range(first, last, freq="M"):
        end = (month + 1).start_time.date().isoformat()
        label = month.start_time.strftime("%B %Y")
        proposal.periods.append((label, month.start_time.date().isoformat(), end))


def toml_text(proposal: Proposal) -> str:
    """dataset.toml as text (strings written as JSON strings, which TOML reads the same)."""
    q = json.dumps
    lines = [f"title = {q(proposal.title)}", f"timezone = {q(proposal.timezone)}"]
    columns = proposal.columns
    if columns.preset:
        lines.append(f"format = {q(columns.preset)}")
    if columns.headings:
        lines += ["", "[columns]"] + [f"{k} = {q(v)}" for k, v in columns.headings.items()]
    if columns.defaults:
        lines += ["", "[columns.defaults]"]
        lines += [f"{k} = {q(v)}" for k, v in columns.defaults.items()]
    for name, mapping in columns.values.items():
        lines += ["", f"[columns.values.{name}]"] + [f"{q(k)} = {q(v)}" for k, v in mapping.items()]
    for i, (ident, label) in enumerate(proposal.categories):
        colour, symbol = PALETTE[i % len(PALETTE)], SYMBOLS[i % len(SYMBOLS)]
        lines += ["", "[[categories]]", f"id = {q(ident)}", f"label = {q(label)}"]
        lines += [f"colour = {q(colour)}", f"symbol = {q(symbol)}"]
    for label, start, end in proposal.periods:
        lines += ["", "[[periods]]", f"label = {q(label)}", f"start = {start}", f"end = {end}"]
    return "\n".join(lines) + "\n"
