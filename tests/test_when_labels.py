"""``when_labels`` words whole columns at once; every label must be what ``when`` gives
the event on its own, in every language and timezone, whichever shortcut made it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from almaty_map.language.dates import when, when_labels
from almaty_map.language.texts import LANGUAGES, texts_for

PRECISIONS = ["exact", "hour", "day", "week", "month"]


def _events(zone: str, n: int = 400) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Starts over two years either side of 1970 and around 2022 (negative and positive
    minutes), ends missing, equal, earlier, the same day, a later day, or weeks later."""
    rng = np.random.default_rng(7)
    base = np.where(rng.random(n) < 0.2, -2 * 365 * 86_400, 1_641_000_000)
    seconds = base + rng.integers(0, 40 * 86_400, n) // 60 * 60
    start = pd.Series(pd.to_datetime(seconds, unit="s", utc=True)).dt.tz_convert(zone)
    shift = rng.choice([0, 0, -3600, 0, 1800, 20 * 3600, 50 * 3600, 30 * 86_400], n)
    end = start + pd.to_timedelta(shift, unit="s")
    end[rng.random(n) < 0.3] = pd.NaT
    precision = pd.Series(rng.choice(PRECISIONS, n), dtype="category")
    return start, end, precision


@pytest.mark.parametrize("zone", ["Asia/Almaty", "America/New_York", "UTC"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_column_labels_are_each_events_own(zone, language):
    texts = texts_for(language)
    start, end, precision = _events(zone)
    expected = [
        when(s, None if pd.isna(e) else e, p, texts)
        for s, e, p in zip(start, end, precision, strict=True)
    ]
    assert when_labels(start, end, precision, texts) == expected


def test_exact_times_are_worded_with_their_end():
    texts = texts_for("en")
    start = pd.Series(pd.to_datetime(["2022-01-05 18:30", "2022-01-05 23:50"])).dt.tz_localize(
        "Asia/Almaty"
    )
    end = start + pd.to_timedelta([90, 20], unit="m")
    labels = when_labels(start, end, pd.Series(["exact", "exact"], dtype="category"), texts)
    assert labels == [
        "5 January 2022, 18:30 – 20:00",
        "5 January 2022, 23:50 – 6 January 2022, 00:10",
    ]
