"""Where the bundled dataset (Almaty, January 2022) lives, importable without pandas."""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).parent / "datasets" / "almaty-2022"
