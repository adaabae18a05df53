"""The dataset a running app serves, swapped whole when it is reloaded.

Views read ``store.dataset`` once per request, so a reload never changes the data under a
request that is already running.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from almaty_map.geodata.dataset import Dataset, inspect_dataset, load_dataset
from almaty_map.geodata.errors import Problem


def current_dataset() -> Dataset:
    """The dataset this request should use (read once; a reload swaps it whole)."""
    return current_app.extensions["almaty_map"].dataset


@dataclass
class DatasetStore:
    folder: Path
    max_bytes: int
    dataset: Dataset = field(init=False)
    last_problems: tuple[Problem, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.dataset = load_dataset(self.folder, self.max_bytes)

    def reload(self) -> bool:
        """Load the folder again; keep serving the last good dataset if it has errors."""
        with self._lock:
            candidate, problems = inspect_dataset(self.folder, self.max_bytes)
            if candidate is None:
                self.last_problems = tuple(p for p in problems if p.severity == "error")
                return False
            self.dataset = candidate
            self.last_problems = ()
            return True

    def notice(self) -> str | None:
        """A line for the operator when the files on disk do not validate."""
        if not self.last_problems:
            return None
        count = len(self.last_problems)
        return (
            f"The dataset files were changed but have {count} error(s), so the last good "
            f"version is still shown. First: {self.last_problems[0]}"
        )
