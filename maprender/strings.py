"""The page's shared string table: strings that repeat (places, worded dates, source
fields, actors) stored once, every column holding indices into it.

Columns are added whole and encoded together by one ``pandas.factorize`` call (a hash
table in C), so the codes cost no Python call per value. A dataset's columns come as they
are: their missing values are turned into None by pandas in C, not tested one at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class StringTable:
    """Columns of strings (None or NaN for none) to encode together; ``add`` returns the
    column's number, whose codes ``encode`` returns at that place."""

    def __init__(self) -> None:
        self._columns: list[np.ndarray] = []

    def add(self, values: pd.Series | list) -> int:
        if isinstance(values, pd.Series):
            self._columns.append(values.to_numpy(dtype=object, na_value=None))
        else:
            self._columns.append(np.asarray(values, dtype=object))
        return len(self._columns) - 1

    def encode(self) -> tuple[list, list[np.ndarray]]:
        """The strings in the order they first appear, and each column's codes (-1 for
        none) as a numpy array: a million codes as Python integers would take tens of MB
        more."""
        lengths = [len(column) for column in self._columns]
        every = np.concatenate(self._columns)
        self._columns.clear()
        codes, uniques = pd.factorize(every, use_na_sentinel=True)
        del every
        return uniques.tolist(), np.split(codes, np.cumsum(lengths)[:-1])
