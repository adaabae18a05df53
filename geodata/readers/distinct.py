"""Work done once per distinct row of a few columns rather than once per row.

The columns an export repeats (places, actors, event types) hold a handful of distinct
combinations in 100,000 rows, so building a value from them per row repeats the same work
100,000 times; each distinct combination is built once here and looked up for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def per_distinct_row(columns: Sequence[Sequence], make: Callable[..., T]) -> list[T]:
    """``make(*row)`` for every row of ``columns`` (cells must be hashable: text or None).
    Rows alike get the same object, so a list made here must be read, not changed."""
    made: dict[tuple, T] = {}
    out: list[T] = []
    for row in zip(*columns, strict=True):
        if row in made:
            out.append(made[row])
        else:
            out.append(made.setdefault(row, make(*row)))
    return out
