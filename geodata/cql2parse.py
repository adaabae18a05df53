"""Reading a CQL2 filter (OGC API - Features Part 3) into pygeofilter's syntax tree.

pygeofilter 0.4's CQL2 text grammar accepts the standard's functions (``T_INTERSECTS(a, b)``,
``S_DWITHIN(...)``) only inside a comparison, and intervals only between two timestamps. Its
own grammar is extended here by two rules, so a function may stand as a predicate and an
interval may hold dates and '..' as the standard allows. Its JSON reader turns the temporal
operators into the wrong node (``t_intersects`` into an overlap), so those operators, and
``s_dwithin``, are handed to it as functions, which the evaluator reads by name.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import lark
import pygeofilter.parsers
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json

from almaty_map.geodata.errors import QueryProblem, shorten

LANGUAGES = ("cql2-text", "cql2-json")
# The draft's name for the text encoding, which GDAL's OGC API driver looks for and sends:
# read as cql2-text (the comparisons GDAL writes are the same in both).
DRAFT_TEXT = "cql-text"
MAX_FILTER = 4000
# Operators read by name in the evaluator (see the module docstring).
BY_NAME = ("s_dwithin",)
_PARSERS = Path(pygeofilter.parsers.__file__).parent
_EXTRA_PREDICATE = "          | temporal_predicate\n"
_INTERVAL_RULE = '?interval: "INTERVAL" "("  "\'" DATETIME "\'" "," "\'" DATETIME "\'" ")"'


TEMPORAL = (
    "t_after",
    "t_before",
    "t_contains",
    "t_disjoint",
    "t_during",
    "t_equals",
    "t_finishedby",
    "t_finishes",
    "t_intersects",
    "t_meets",
    "t_metby",
    "t_overlappedby",
    "t_overlaps",
    "t_startedby",
    "t_starts",
)
_FUNCTION_RULES = (
    '          | _function_name "(" expression ("," expression)* ")" -> function_predicate\n'
    "!_function_name: " + " | ".join(f'"{name.upper()}"i' for name in (*TEMPORAL, *BY_NAME)) + "\n"
)


def _transformer() -> lark.Transformer:
    """pygeofilter's transformer with the project's rules. Its module builds pygeofilter's
    own parser when imported (0.25 s of a server's start), so it is imported at the first
    text filter, not with this module."""
    from pygeofilter.parsers.cql2_text.parser import CQLTransformer

    @lark.v_args(inline=True)
    class Transformer(CQLTransformer):
        def function_predicate(self, name: lark.Token, *arguments: object) -> ast.Function:
            return ast.Function(str(name).lower(), list(arguments))

        def interval(self, start: str, end: str) -> values.Interval:
            return values.Interval(*(_bound_text(v) for v in (start, end)))

    return Transformer()


def _bound_text(value: str) -> str | None:
    """An interval's bound as written: '..' is open; the rest is read with the times."""
    return None if value == ".." else value


@cache
def _text_parser() -> lark.Lark:
    path = _PARSERS / "cql2_text" / "grammar.lark"
    grammar = path.read_text(encoding="utf-8")
    assert _EXTRA_PREDICATE in grammar and _INTERVAL_RULE in grammar, "pygeofilter changed"
    grammar = grammar.replace(_EXTRA_PREDICATE, _EXTRA_PREDICATE + _FUNCTION_RULES).replace(
        _INTERVAL_RULE, '?interval: "INTERVAL" "(" SINGLE_QUOTED "," SINGLE_QUOTED ")"'
    )
    return lark.Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_transformer(),
        import_paths=[_PARSERS],
        source_path=str(path),
    )


def parse_filter(text: str, language: str | None) -> tuple[ast.Node | None, list[QueryProblem]]:
    """The filter's syntax tree, or None and a problem saying where the text went wrong."""
    language = (language or "cql2-text").strip()
    language = "cql2-text" if language == DRAFT_TEXT else language
    if language not in LANGUAGES:
        return None, [QueryProblem.expecting("filter-lang", " | ".join(LANGUAGES), language)]
    if len(text) > MAX_FILTER:
        expected = f"at most {MAX_FILTER} characters"
        message = f"expected {expected}, got {len(text)}"
        return None, [QueryProblem("filter", expected, shorten(text), message)]
    if language == "cql2-json":
        return _parse_json(text)
    try:
        return _text_parser().parse(text), []
    except lark.UnexpectedInput as error:
        return None, [_syntax_problem(text, error)]
    # TypeError: pygeofilter's arithmetic on what it cannot compute, e.g. "-A0" (a minus
    # before a property), raised by the transformer the parser runs inline.
    except (lark.exceptions.VisitError, ValueError, TypeError) as error:
        cause = getattr(error, "orig_exc", error)
        return None, [_problem(text, f"cannot read the filter: {cause}")]


def _syntax_problem(text: str, error: lark.UnexpectedInput) -> QueryProblem:
    """Where the text stops making sense: the column, the text there, and what could go
    there (the first few of what the grammar allows)."""
    column = error.column if isinstance(error.column, int) and error.column > 0 else len(text)
    here = repr(text[column - 1 : column + 19])
    if isinstance(error, lark.UnexpectedToken) and error.token.type == "$END":
        column, here = len(text) + 1, "the end of the filter"
    allowed = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    hint = f" (expected one of {', '.join(allowed[:8])})" if allowed else ""
    message = f"syntax error at column {column}, at {here}{hint}"
    return _problem(text, message)


def _problem(text: str, message: str) -> QueryProblem:
    return QueryProblem("filter", "a CQL2 filter", shorten(text), message)


def _parse_json(text: str) -> tuple[ast.Node | None, list[QueryProblem]]:
    try:
        document = json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as error:
        return None, [_problem(text, f"not JSON at position {error.pos}: {error.msg}")]
    except ValueError as error:
        return None, [_problem(text, f"not JSON: {error}")]
    try:
        return parse_json(_functions_by_name(document)), []
    except (ValueError, TypeError, KeyError, IndexError) as error:
        return None, [_problem(text, f"not a CQL2 JSON expression: {shorten(str(error), 200)}")]


def _not_a_number(name: str) -> float:
    """Python's reader takes NaN and Infinity, which JSON has not: a NaN distance or bound
    compares false with everything and would quietly keep nothing."""
    raise ValueError(f"{name} is not a JSON number")


def _functions_by_name(node: object) -> object:
    """The JSON with temporal operators and s_dwithin as functions (see the docstring), and
    times read strictly here (pygeofilter's reader guesses a date in any text)."""
    if isinstance(node, list):
        return [_functions_by_name(item) for item in node]
    if isinstance(node, str) and "\x00" in node:  # as the text's NUL: see query.read_query
        raise ValueError(f"expected text without NUL (0x00) characters, got {node!r}")
    if not isinstance(node, dict):
        return node
    if set(node) == {"interval"} and isinstance(node["interval"], list):
        return values.Interval(*(_bound_text(str(v)) for v in node["interval"]))
    if set(node) == {"timestamp"}:
        return dt.datetime.fromisoformat(str(node["timestamp"]).replace("Z", "+00:00"))
    if set(node) == {"date"}:
        return dt.date.fromisoformat(str(node["date"]))
    op = node.get("op")
    if isinstance(op, str) and (op.startswith("t_") or op in BY_NAME):
        arguments = _functions_by_name(node.get("args", []))
        return {"function": {"name": op, "arguments": arguments}}
    return {key: _functions_by_name(value) for key, value in node.items()}
