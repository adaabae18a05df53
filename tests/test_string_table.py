"""The shared string table: the same table and codes ``pandas.factorize`` gives for the
columns end to end, whatever form the columns come in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from almaty_map.maprender.strings import StringTable


def test_codes_point_at_each_value_and_none_is_minus_one():
    place = pd.Series(["Republic Square", None, "Akimat", "Republic Square"], dtype="str")
    when = ["5 January 2022", "Akimat", None, "5 January 2022"]
    table = StringTable()
    a, b = table.add(place), table.add(when)
    strings, codes = table.encode()
    assert strings == ["Republic Square", "Akimat", "5 January 2022"]
    assert codes[a].tolist() == [0, -1, 1, 0]
    assert codes[b].tolist() == [2, 1, -1, 2]
    every = np.concatenate([place.to_numpy(dtype=object, na_value=None), when], dtype=object)
    expected_codes, expected = pd.factorize(every)
    assert strings == expected.tolist()
    assert np.concatenate(codes).tolist() == expected_codes.tolist()


def test_a_value_that_is_not_a_string_is_kept_as_it_is():
    """A source's author given as a number reaches the page as that number."""
    table = StringTable()
    authors = table.add(["Staff", 1917, None])
    strings, codes = table.encode()
    assert strings == ["Staff", 1917]
    assert codes[authors].tolist() == [0, 1, -1]
