"""Figures for the whole dataset, as the sources give them: "about 250 people died across
Kazakhstan" belongs to the story of Almaty, but on no single event, and never as a local
count. Sources that disagree are kept side by side, each with its own quotation.

In dataset.toml::

    [[figures]]
    label = "Deaths in the unrest across Kazakhstan"
    count = {kind = "about", count = 250, scope = "across Kazakhstan"}
    source = {publication = "New Statesman", title = "...", date = "2022-06", url = "...",
              quote = "one of around 250 people to die"}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from almaty_map.geodata.counts import COUNT_EXPECTED, CountError, normalise_count

if TYPE_CHECKING:
    from almaty_map.geodata.tomlread import TomlReader

_SOURCE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """One figure for the whole dataset and the one source it is quoted from."""

    label: str
    count: dict
    source: dict[str, str]


def read_figures(reader: TomlReader) -> tuple[Figure, ...]:
    out = []
    for where, item in reader.tables("figures", "[[figures]] tables with label, count, source"):
        label = reader.text(item, "label", f"{where}.label")
        try:
            count = normalise_count(item.get("count"))
        except CountError as exc:
            reader.fail(
                f"{where}.count", f"is not a count: {exc}", item.get("count"), COUNT_EXPECTED
            )
            continue
        if count is None:
            reader.fail(f"{where}.count", "is missing", expected=COUNT_EXPECTED)
            continue
        source = _source(reader, item.get("source"), f"{where}.source")
        if label and source:
            out.append(Figure(label, count, source))
    return tuple(out)


def _source(reader: TomlReader, value: object, where: str) -> dict[str, str] | None:
    """A figure rests on one quoted source: publication, title, date, quote, url."""
    if not isinstance(value, dict):
        reader.fail(
            where, "is missing or not a table", value, "{publication, title, date, url, quote}"
        )
        return None
    fields = {k: reader.text(value, k, f"{where}.{k}") for k in ("publication", "title", "quote")}
    date, url = value.get("date"), value.get("url")
    if not (isinstance(date, str) and _SOURCE_DATE.fullmatch(date)):
        reader.fail(f"{where}.date", "is missing or malformed", date, "YYYY, YYYY-MM or YYYY-MM-DD")
    if url is not None and not (isinstance(url, str) and _URL.fullmatch(url)):
        reader.fail(f"{where}.url", "is not a web address", url, "an http:// or https:// address")
    if not all(fields.values()):
        return None
    return fields | {"date": str(date)} | ({"url": url} if url else {})
