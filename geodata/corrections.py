"""The dataset's corrections log, as a newsroom keeps one for its articles.

``corrections.toml`` (optional) lists every correction made to a published version: when,
to which event, what changed, why, and on what source. The map shows "Corrected on …" in the
corrected event's popup and lists all corrections with the credits, so a reader who saw an
earlier version can tell what changed.

    [[corrections]]
    date = 2026-11-30
    event = "2022-01-05-state-of-emergency"
    change = "The state of emergency now ends at 00:00 on 19 January, not on 20 January."
    reason = "The decree ran until 00:00 on 19 January."
    source = "Interfax, 18 January 2022: https://www.interfax.ru/world/816112"
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from almaty_map.geodata.errors import Problem
from almaty_map.geodata.tomlread import TomlReader, load_toml

FILE = "corrections.toml"
EXPECTED = "[[corrections]] tables with date, event, change, reason and source"


@dataclass(frozen=True)
class Correction:
    date: dt.date
    event: str | None  # None for a correction to the dataset as a whole
    change: str
    reason: str
    source: str


def read_corrections(
    folder: Path, event_ids: set[str]
) -> tuple[tuple[Correction, ...], list[Problem]]:
    """The corrections, newest first, and every problem in the file; each names an event
    that exists (or none, for the dataset as a whole)."""
    raw, problems = load_toml(folder / FILE, required=False)
    if raw is None:
        return (), problems
    reader = TomlReader(raw, FILE)
    out = []
    for where, item in reader.tables("corrections", EXPECTED):
        date = item.get("date")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            reader.fail(f"{where}.date", "is not a date", date, "a TOML date like 2026-11-30")
        event = item.get("event")
        if event is not None and event not in event_ids:
            reader.fail(f"{where}.event", "names no event in the events file", event, "an event id")
        texts = [reader.text(item, key, f"{where}.{key}") for key in ("change", "reason", "source")]
        if isinstance(date, dt.date) and all(texts):
            out.append(Correction(date, event, *texts))
    out.sort(key=lambda c: c.date, reverse=True)
    return tuple(out), reader.problems
