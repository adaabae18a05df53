"""Turning boolean masks of failing rows into Problems that name each feature.

Checks work on whole columns, so a check's result is a mask over the chunk's rows; the
Reporter turns it into one Problem per feature (by its index in the file: the chunk's offset
plus the row), capped at REPORT_LIMIT per check so a file that is wrong everywhere still gives
a readable report. Rows that failed structurally (not ``live``) are never reported again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from almaty_map.geodata.errors import WITHHELD, Problem, Severity, shorten
from almaty_map.geodata.readers.table import MISSING

REPORT_LIMIT = 200


def found(value: object) -> str:
    """A found value as the report shows it; absent is not the same as null."""
    return "nothing (the property is missing)" if value is MISSING else shorten(value)


class Shown:
    """A column's values as a report shows them, each worked out only when its row is
    reported: most rows of a file are fine, and formatting them all would cost more than
    the check."""

    def __init__(self, show: Callable[[int], object]):
        self.show = show

    def __getitem__(self, row: int) -> object:
        return self.show(row)


class Reporter:
    """Collects the Problems of one chunk of features."""

    def __init__(
        self,
        file: str,
        ids: list[str | None],
        live: np.ndarray,
        withheld: np.ndarray,
        offset: int = 0,
    ):
        self.file = file
        self.ids = ids
        self.live = live
        self.withheld = withheld
        self.offset = offset
        self.problems: list[Problem] = []

    def rows(
        self,
        mask: np.ndarray,
        field: str,
        message: str,
        expected: str | None,
        values: Iterable | None = None,
        severity: Severity = "error",
        geometry: bool = False,
    ) -> None:
        """Report the live rows in ``mask``; a ``geometry`` value of a feature marked
        sensitive is withheld, since the report may be shared more widely than the data."""
        rows = np.flatnonzero(mask & self.live)
        if not len(rows):
            return
        if values is not None and not hasattr(values, "__getitem__"):
            values = list(values)
        for i in rows[:REPORT_LIMIT]:
            shown = None
            if values is not None:
                shown = WITHHELD if geometry and self.withheld[i] else found(values[i])
            self.problems.append(self.at(int(i), field, message, expected, shown, severity))
        if len(rows) > REPORT_LIMIT:
            self.problems.append(
                Problem(
                    self.file,
                    f"{len(rows) - REPORT_LIMIT} more features have this problem: {message}",
                    field=field,
                    expected=expected,
                    severity=severity,
                )
            )

    def at(
        self,
        row: int,
        field: str,
        message: str,
        expected: str | None,
        shown: str | None,
        severity: Severity = "error",
    ) -> Problem:
        """A Problem for one row of the chunk, named by its index in the file and its id."""
        return Problem(
            self.file,
            message,
            index=self.offset + row,
            feature_id=self.ids[row],
            field=field,
            found=shown,
            expected=expected,
            severity=severity,
        )
