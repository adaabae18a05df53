"""Feature ids: one usable id per feature, the same wherever it is written, unique.

The id is what every later report, link and API item names a feature by, so it is checked
before anything else and the other checks' problems carry it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from almaty_map.geodata.checks.report import REPORT_LIMIT, found
from almaty_map.geodata.errors import Problem, shorten
from almaty_map.geodata.readers.table import MISSING, RawTable

_ID_EXPECTED = "a non-empty string (or integer) unique in the file"


def feature_ids(table: RawTable) -> tuple[list[str | None], list[Problem]]:
    """Ids as strings; integers are accepted, and the feature-level id is a fallback.
    (Uniqueness is checked across the whole file by ``duplicate_ids``.)"""
    problems: list[Problem] = []
    raw = table.columns["id"]
    out: list[str | None] = []
    for i, (value, member) in enumerate(zip(raw, table.feature_ids, strict=True)):
        if value is MISSING and member is not None:
            value = member
        elif member is not None and value is not MISSING and str(member) != str(value):
            problems.append(
                Problem(
                    table.file,
                    "differs from the feature's own id",
                    index=table.offset + i,
                    field="id",
                    found=shorten(value),
                    expected=f"the same value as the feature id {member!r}",
                )
            )
        out.append(_id_text(value))
    unusable = ~table.broken & np.array([v is None for v in out], dtype=bool)
    problems.extend(
        Problem(
            table.file,
            "is missing or not usable",
            index=table.offset + int(i),
            field="id",
            found=found(raw[i]),
            expected=_ID_EXPECTED,
        )
        for i in np.flatnonzero(unusable)
    )
    return out, problems


def _id_text(value: object) -> str | None:
    if type(value) is int:
        return str(value)
    if type(value) is str and value.strip() and len(value) <= 200:
        return value
    return None


def duplicate_ids(file: str, ids: list[str | None] | pa.Array, live: np.ndarray) -> list[Problem]:
    """Ids used twice anywhere in the file (checked once all chunks are read)."""
    if isinstance(ids, pa.Array):
        ids = ids.to_pylist()
    column = pd.Series(ids, dtype=object)
    duplicated = (column.duplicated(keep="first") & column.notna()).to_numpy() & live
    if not duplicated.any():
        return []
    first = {v: i for i, v in reversed(list(enumerate(ids)))}
    return [
        Problem(
            file,
            f"is also used by feature {first[ids[i]]}",
            index=int(i),
            feature_id=ids[i],
            field="id",
            expected="ids unique in the file",
        )
        for i in np.flatnonzero(duplicated)[:REPORT_LIMIT]
    ]
