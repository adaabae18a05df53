"""Reading the dataset's TOML files (dataset.toml, corrections.toml), collecting every
problem with the file and the key at fault instead of stopping at the first."""

from __future__ import annotations

import tomllib
from pathlib import Path

from almaty_map.geodata.errors import Problem, shorten
from almaty_map.geodata.regularfile import UnreadableFileError, read_regular
from almaty_map.geodata.spelling import meant_field


def load_toml(
    path: Path, required: bool, max_bytes: int = 2**20
) -> tuple[dict | None, list[Problem]]:
    """The parsed file (None if unusable), and what is wrong with it; an optional file
    that is absent is an empty table. Read only as a regular file of bounded size (a link
    to /dev/zero or a FIFO named like it is refused, never read)."""
    if not path.exists() and not path.is_symlink():
        if not required:
            return {}, []
        return None, [
            Problem(path.name, f"not found in {path.parent}", expected=f"a {path.name} file")
        ]
    try:
        return tomllib.loads(read_regular(path, max_bytes).decode("utf-8")), []
    except UnreadableFileError as exc:
        return None, [exc.problem(path.name)]
    except UnicodeDecodeError as exc:
        return None, [Problem(path.name, f"is not UTF-8 text: {exc.reason} at byte {exc.start}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(path.name, f"is not valid TOML: {exc}")]


class TomlReader:
    """Collects every problem in one TOML file instead of stopping at the first."""

    def __init__(self, raw: dict, file: str):
        self.raw = raw
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str, found: object = None, expected: str | None = None):
        self.problems.append(
            Problem(
                self.file,
                message,
                field=field,
                found=None if found is None else shorten(found),
                expected=expected,
            )
        )

    def warn(self, field: str, message: str, expected: str | None = None) -> None:
        self.problems.append(
            Problem(self.file, message, field=field, expected=expected, severity="warning")
        )

    def lookalikes(self, table: dict, keys: tuple[str, ...], where: str = "") -> None:
        """Warn of keys that look like a known one misspelt (``license``, ``color``): read
        literally they are ignored, and the key meant is missing or left at its default."""
        for name in table:
            meant = meant_field(name, keys) if isinstance(name, str) else None
            if meant:
                self.problems.append(
                    Problem(
                        self.file,
                        f"is not a key {self.file} knows (so it is ignored); "
                        f"did you mean '{meant}'?",
                        field=f"{where}{name}",
                        expected=f"'{meant}'",
                        severity="warning",
                    )
                )

    def text(self, table: dict, key: str, where: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(where, "is missing", expected="a text value")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, "is not usable text", value, "a non-empty string")
            return ""
        return value

    def tables(self, key: str, expected: str) -> list[tuple[str, dict]]:
        """The tables of an array of tables, each with the name it is reported under."""
        items = self.raw.get(key, [])
        if not isinstance(items, list):
            self.fail(key, "is not a list", items, expected)
            return []
        out = []
        for i, item in enumerate(items):
            if isinstance(item, dict):
                out.append((f"{key}[{i}]", item))
            else:
                self.fail(f"{key}[{i}]", "is not a table", item, expected)
        return out
