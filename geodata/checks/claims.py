"""Which quoted source supports an event's place, time and figures.

An event cites several sources; ``location_source``, ``time_source`` and
``fatalities_source`` say which of them (by position in ``sources``) supports each claim, so
the map can say "placed by …" and a precise place, an hour or a figure that rests on no
quotation is flagged instead of silently published.
"""

from __future__ import annotations

import numpy as np

from almaty_map.geodata.checks.report import Reporter, found
from almaty_map.geodata.checks.values import is_absent, series
from almaty_map.geodata.counts import COUNT_EXPECTED, CountError, normalise_count
from almaty_map.geodata.model import CLAIM_FIELDS, PRECISE_PLACES, PRECISE_TIMES

CLAIM_EXPECTED = "the position in 'sources' of a quoted source supporting it (0 = the first)"
# Which claim each check warns about when it rests on no source, and when it matters.
_UNSUPPORTED = {
    "location_source": ("a place more precise than the city", "geo_precision", PRECISE_PLACES),
    "time_source": ("a time given to the hour or minute", "time_precision", PRECISE_TIMES),
}


def fatalities(rep: Reporter, values: list) -> list[dict | None]:
    """Counts in their canonical form (None where none is reported)."""
    kept: list[dict | None] = []
    for i, value in enumerate(values):
        try:
            kept.append(normalise_count(None if is_absent(value) else value))
        except CountError as exc:
            kept.append(None)
            if rep.live[i]:
                rep.problems.append(
                    rep.at(i, "fatalities", f"is not a count: {exc}", COUNT_EXPECTED, found(value))
                )
    return kept


def claims(rep: Reporter, cols: dict[str, list], counts: list[dict | None]) -> dict[str, list]:
    """Each claim field as a list of source positions (None when absent), reporting
    positions that name no quoted source, and precise claims that rest on none."""
    quoted = [_quoted_positions(v) for v in cols["sources"]]
    kept = {name: _positions(rep, cols[name], name, quoted) for name in CLAIM_FIELDS}
    for name, (what, field, precise) in _UNSUPPORTED.items():
        needs = series(cols[field]).isin(precise).to_numpy()
        _warn_unsupported(rep, needs, kept[name], name, what)
    reported = np.array([c is not None for c in counts], dtype=bool)
    _warn_unsupported(rep, reported, kept["fatalities_source"], "fatalities_source", "a figure")
    return kept


def _quoted_positions(sources: object) -> set[int]:
    if type(sources) is not list:
        return set()
    return {
        i
        for i, s in enumerate(sources)
        if isinstance(s, dict) and isinstance(s.get("quote"), str) and s["quote"].strip()
    }


def _positions(rep: Reporter, values: list, name: str, quoted: list[set[int]]) -> list:
    kept: list[list[int] | None] = []
    for i, value in enumerate(values):
        if is_absent(value):
            kept.append(None)
            continue
        positions = [value] if type(value) is int else value
        ok = (
            type(positions) is list
            and positions
            and all(type(p) is int for p in positions)
            and len(set(positions)) == len(positions)
        )
        if not ok:
            kept.append(None)
            rep.problems.append(
                rep.at(i, name, "is not a source position", CLAIM_EXPECTED, found(value))
            )
            continue
        unquoted = [p for p in positions if p not in quoted[i]]
        if unquoted and rep.live[i]:
            rep.problems.append(
                rep.at(
                    i,
                    name,
                    f"points at sources[{unquoted[0]}], which does not exist or has no quote",
                    CLAIM_EXPECTED,
                    found(value),
                )
            )
        kept.append(positions)
    return kept


def _warn_unsupported(rep: Reporter, needs: np.ndarray, kept: list, name: str, what: str) -> None:
    missing = needs & np.array([k is None for k in kept], dtype=bool)
    rep.rows(
        missing,
        name,
        f"is missing: {what} rests on no quoted source",
        CLAIM_EXPECTED,
        severity="warning",
    )
