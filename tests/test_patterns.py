"""No regular expression in the program ends in `$`, which in Python also matches before a
final newline (so "protest\\n" would pass as a category id): patterns are matched whole, with
fullmatch, or end in \\Z."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROGRAM = sorted(
    path
    for path in ROOT.rglob("*.py")
    if path.relative_to(ROOT).parts[0] not in {".venv", "tests", "build"}
)


def dollar_endings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if text.endswith("$"):
                found.append(f"{path.relative_to(ROOT)}, line {node.lineno}: {text!r}")
    return found


def test_no_pattern_ends_in_a_dollar():
    assert [hit for path in PROGRAM for hit in dollar_endings(path)] == []
