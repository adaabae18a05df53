"""Problems found in a dataset or in a query, and the one error that carries a dataset's.

A dataset is checked completely before anything is loaded, so an editor sees every problem
in one run instead of fixing them one at a time. Each problem names the file, the feature
(index in the file and id), the field, what was found and what was expected. A query is
read the same way: every wrong value is a QueryProblem naming its parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

WITHHELD = "(withheld: the feature is marked sensitive)"


def shorten(value: object, limit: int = 80) -> str:
    """Show a found value briefly and unambiguously (quoted if it is text)."""
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of a dataset."""

    file: str
    message: str
    index: int | None = None
    feature_id: str | None = None
    field: str | None = None
    found: str | None = None
    expected: str | None = None
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None
    # A table (CSV, spreadsheet): the row as a spreadsheet shows it (the header is row 1),
    # the sheet of a workbook, and the file's own column heading the field was read from.
    row: int | None = None
    sheet: str | None = None
    heading: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}, column {self.column}"
        if self.sheet is not None:
            where += f", sheet {self.sheet!r}"
        if self.row is not None:
            where += f", row {self.row}"
        elif self.index is not None:
            where += f", feature {self.index}"
        if self.feature_id is not None and (self.index is not None or self.row is not None):
            where += f" (id {self.feature_id!r})"
        text = f"{where}: "
        if self.heading:
            text += f"column {self.heading!r}"
            named = self.field and self.field != self.heading
            text += f" (field {self.field!r}): " if named else ": "
        elif self.field:
            text += f"field {self.field!r}: "
        text += self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", got {self.found}"
        if self.severity == "warning":
            text = "warning: " + text
        return text

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for machine-readable reports."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class QueryProblem:
    """One wrong value in a query. ``message`` says what is wrong without naming the
    parameter, so the page, the API and the CLI can each name it their own way (a form
    field, a JSON member, an option)."""

    parameter: str
    expected: str
    found: str
    message: str

    @classmethod
    def expecting(cls, parameter: str, expected: str, value: str) -> QueryProblem:
        """The usual problem: this was expected, that was found."""
        found = shorten(value)
        return cls(parameter, expected, found, f"expected {expected}, got {found}")

    def __str__(self) -> str:
        return f"parameter '{self.parameter}': {self.message}"

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


class DataError(Exception):
    """A dataset could not be loaded; ``problems`` lists every error and warning found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        shown = "\n".join(f"  {p}" for p in errors[:50])
        more = f"\n  … and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} problem(s) in the dataset:\n{shown}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
