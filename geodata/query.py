"""The one reader of a person's query, for the reader's page, the API and the command line.

Every value is read and every problem collected at once, each naming its parameter, what
was expected and what was found, so a person can fix them all in one go. The reader never
raises: a wrong value is left out of the filter, and each caller decides what a problem
means (the page shows it beside the rest of the view, the API answers 400, the CLI exits 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from almaty_map.geodata.cql2 import CqlFilter, read_filter
from almaty_map.geodata.cql2parse import DRAFT_TEXT, LANGUAGES
from almaty_map.geodata.crs import read_bbox_in, read_crs
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.metadata import Metadata
from almaty_map.geodata.timebounds import read_bounds, read_interval

MAX_TEXT_QUERY = 200
NUL = "\x00"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9

T = TypeVar("T")
Read = tuple[T, list[QueryProblem]]


@dataclass(frozen=True)
class QueryText:
    """A query as typed; None is a parameter not given. The page and the CLI give start and
    end, the API gives datetime. Categories may be repeated or comma-separated."""

    start: str | None = None
    end: str | None = None
    datetime: str | None = None
    categories: tuple[str, ...] = ()
    bbox: str | None = None
    bbox_crs: str | None = None
    q: str | None = None
    limit: str | None = None
    offset: str | None = None
    filter: str | None = None
    filter_lang: str | None = None
    filter_crs: str | None = None
    collection: str = "events"


@dataclass(frozen=True)
class Query:
    """What the query asks for, made of its good values, and every problem with the rest."""

    filter: EventFilter
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    problems: tuple[QueryProblem, ...] = ()


def read_query(meta: Metadata, text: QueryText) -> Query:
    """Read every parameter; a wrong one is left out and reported, the others still apply."""
    problems: list[QueryProblem] = []
    take = _collector(problems)
    lo, hi = take(read_bounds(text.start, text.end, meta.tz))
    if text.datetime is not None:
        lo, hi = take(read_interval(text.datetime, meta.tz))
    categories = take(_categories(meta, text.categories))
    bbox_crs = take(read_crs("bbox-crs", text.bbox_crs))
    bbox = take(read_bbox_in(text.bbox, bbox_crs)) if text.bbox is not None else None
    words = take(_words(text.q))
    limit = take(_integer("limit", text.limit, DEFAULT_LIMIT, (1, MAX_LIMIT)))
    offset = take(_integer("offset", text.offset, 0, (0, MAX_OFFSET)))
    cql = take(_cql(meta, text))
    flt = EventFilter(start=lo, end=hi, categories=categories, bbox=bbox, text=words, cql=cql)
    return Query(flt, limit, offset, tuple(problems))


def _cql(meta: Metadata, text: QueryText) -> Read[CqlFilter | None]:
    """The CQL2 filter; a blank one is none."""
    if text.filter is None or not text.filter.strip():
        return None, _unused_filter_settings(text)
    if NUL in text.filter:
        return None, [_nul_problem("filter", text.filter)]
    return read_filter(meta, text.collection, text.filter, text.filter_lang, text.filter_crs)


def _collector(problems: list[QueryProblem]) -> Callable[[Read[T]], T]:
    """Keep a reading's value and add its problems to the query's."""

    def take(reading: Read[T]) -> T:
        value, found = reading
        problems.extend(found)
        return value

    return take


def _categories(meta: Metadata, values: tuple[str, ...]) -> Read[tuple[str, ...] | None]:
    """The known categories, in the dataset's order. The unknown ones are named together,
    beside the known ones, and left out."""
    wanted = [v.strip() for value in values for v in value.split(",") if v.strip()]
    known = meta.category_ids
    kept = tuple(c for c in known if c in wanted) or None
    unknown = [v for v in dict.fromkeys(wanted) if v not in known]
    if not unknown:
        return kept, []
    expected = "one of " + ", ".join(known)
    found = ", ".join(shorten(v) for v in unknown[:10])
    return kept, [QueryProblem("category", expected, found, f"expected {expected}, got {found}")]


def _words(value: str | None) -> Read[str | None]:
    """The text to search for; blank is no text filter."""
    words = (value or "").strip()
    if NUL in words:
        return None, [_nul_problem("q", words)]
    if len(words) <= MAX_TEXT_QUERY:
        return words or None, []
    expected = f"at most {MAX_TEXT_QUERY} characters"
    message = f"expected {expected}, got {len(words)}"
    return None, [QueryProblem("q", expected, shorten(words), message)]


def _nul_problem(parameter: str, value: str) -> QueryProblem:
    """No stored text holds a NUL (PostgreSQL's text cannot), so no search for one can be
    answered: the database refused the statement (a 500) where the files found nothing."""
    expected = "text without NUL (0x00) characters"
    message = f"expected {expected}, got one at character {value.index(NUL) + 1}"
    return QueryProblem(parameter, expected, shorten(value), message)


def _integer(name: str, value: str | None, default: int, bounds: tuple[int, int]) -> Read[int]:
    if value is None:
        return default, []
    low, high = bounds
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is not None and low <= number <= high:
        return number, []
    return default, [QueryProblem.expecting(name, f"an integer from {low} to {high}", value)]


def _unused_filter_settings(text: QueryText) -> list[QueryProblem]:
    """filter-lang and filter-crs without a filter are still checked, so a typo shows."""
    problems = []
    if text.filter_lang is not None and text.filter_lang.strip() not in (*LANGUAGES, DRAFT_TEXT):
        problems.append(
            QueryProblem.expecting("filter-lang", " | ".join(LANGUAGES), text.filter_lang)
        )
    problems += read_crs("filter-crs", text.filter_crs)[1]
    return problems
