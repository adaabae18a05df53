"""Work done once per distinct row of a few columns rather than once per row.

The columns an export repeats (places, actors, event types) hold a handful of distinct
combinations in 100,000 rows, so building a value from them per row repeats the same work
100,000 times; each distinct combination is built once here and looked up for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

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


def per_distinct_value(values: Sequence, convert: Callable[[list], list]) -> list:
    """``convert`` (of a list of values, to a list of results) run on each distinct value of
    ``values`` once, its results given back row by row. For text or None, and for results
    that are not changed after (text, numbers): rows alike share them."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    made = np.empty(len(distinct) + 1, dtype=object)
    made[:] = convert([*distinct.tolist(), None])
    return made[codes].tolist()  # a None's code is -1: the last result, None's
