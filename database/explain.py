"""EXPLAIN as a statement SQLAlchemy compiles once per shape and caches.

A page asks the planner how many rows its filter selects before it decides to count them.
Compiled with its values written in (``literal_binds``), the statement was compiled afresh
on every request: 2 ms of a CQL2 page's 25. As a construct of its own, EXPLAIN of a
filter's shape is compiled once and its values are sent as parameters, which PostgreSQL
plans with as it would with constants (every plan is made for its values, see
``source._prepared``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable, Select
from sqlalchemy.sql.visitors import InternalTraversal


class ExplainJson(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a query: one row, the plan as JSON."""

    inherit_cache = True
    _traverse_internals: ClassVar = [("query", InternalTraversal.dp_clauseelement)]

    def __init__(self, query: Select) -> None:
        self.query = query


@compiles(ExplainJson)
def _compile(element: ExplainJson, compiler: SQLCompiler, **kw: Any) -> str:
    text = "EXPLAIN (FORMAT JSON) " + compiler.process(element.query, **kw)
    # Its one row is the plan, not the query's columns: the result is read by position.
    compiler._result_columns = []
    compiler._ordered_columns = False
    return text
