"""Times read once per distinct text are the times read value by value."""

from __future__ import annotations

import pandas as pd
import pytest

from almaty_map.geodata.checks.fields import _ISO_WITH_OFFSET, _parsed_times
from almaty_map.geodata.readers.table import MISSING

CASES = {
    "mixed": [
        "2022-01-04T10:00:00+06:00",
        MISSING,
        None,
        5,
        "2022-01-04T10:00:00+06:00",
        "2022-01-04",
        "1600-01-01T00:00:00Z",
        "2022-01-04T10:00:00.123456789Z",
        "2022-02-30T00:00:00Z",
        ["2022-01-04T10:00:00Z"],
        "9999-01-01T00:00:00+0000",
    ],
    "none at all": [MISSING, None, MISSING],
    "empty": [],
    "fractions": ["2022-01-04T10:00:00.5+06:00", "2022-01-04T10:00:00+06:00"],
    "beyond 2261": ["3000-01-01T00:00:00Z", "2022-01-04T10:00:00Z"],
}


def _one_by_one(values: list) -> tuple[list[bool], pd.Series]:
    """Each value read on its own (the reference: no sharing between rows)."""
    shaped, times = [], []
    for value in values:
        text = value if type(value) is str else None
        ok = text is not None and pd.Series([text]).str.fullmatch(_ISO_WITH_OFFSET).iloc[0]
        shaped.append(bool(ok))
        times.append(text if ok else None)
    return shaped, pd.to_datetime(
        pd.Series(times, dtype=object), format="ISO8601", utc=True, errors="coerce"
    )


@pytest.mark.parametrize("values", list(CASES.values()), ids=list(CASES))
def test_each_distinct_time_is_read_once_and_given_to_every_row(values):
    shaped, parsed = _parsed_times(values)
    expected_shaped, expected = _one_by_one(values)
    assert shaped.tolist() == expected_shaped
    assert parsed.isna().tolist() == expected.isna().tolist()
    assert parsed.dropna().tolist() == expected.dropna().tolist()
