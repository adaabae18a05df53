"""What kind of value each cell of a column holds, as boolean masks.

Properties arrive as lists of arbitrary JSON values; these tests run over a whole column at
once (pandas and Arrow loop in C), which is what keeps checking 100,000 events fast.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from almaty_map.geodata.readers.table import MISSING


def series(values: list) -> pd.Series:
    """An object Series, so pandas never converts (and so hides) a value's type."""
    return pd.Series(values, dtype=object)


def type_is(values: list | pd.Series, kind: type) -> np.ndarray:
    """Which values are exactly of this type (bool is not int here)."""
    column = values if isinstance(values, pd.Series) else series(values)
    return column.map(type).eq(kind).to_numpy(copy=True)


def is_text(values: list, allow_empty: bool = False) -> np.ndarray:
    """Which values are strings (with something other than white space in them)."""
    column = series(values)
    ok = type_is(column, str)
    if not allow_empty:
        ok &= filled_text(pa.array(column.where(ok, None), type=pa.string(), from_pandas=True))
    return ok


def filled_text(strings: pa.Array) -> np.ndarray:
    """Which of these Arrow strings have something other than white space in them."""
    filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(strings)), 0)
    return pc.fill_null(filled, False).to_numpy(zero_copy_only=False)


def matching_text(strings: pa.Array, pattern: re.Pattern) -> np.ndarray:
    """Which of these Arrow strings ``pattern`` matches whole, as ``matches`` says: each
    distinct string is tried once (a column of dates holds a few hundred)."""
    encoded = strings.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    ok = np.array([pattern.fullmatch(text) is not None for text in distinct] + [False])
    index = pc.fill_null(encoded.indices, len(distinct)).to_numpy(zero_copy_only=False)
    return ok[index]


def absent(values: list) -> np.ndarray:
    """Which values are missing or null: the same thing for an optional property."""
    return np.fromiter((is_absent(v) for v in values), dtype=bool, count=len(values))


def is_absent(value: object) -> bool:
    """One value of ``absent``, for loops that look at each value anyway (a Series per
    value would cost a hundred times the test)."""
    return value is MISSING or value is None


def matches(values: list, pattern: re.Pattern) -> np.ndarray:
    """Which values are strings that ``pattern`` matches whole (a pattern ending in ``$``
    would also match before a final newline)."""
    text = series(values).where(type_is(values, str), None)
    return text.str.fullmatch(pattern, na=False).to_numpy(dtype=bool)
