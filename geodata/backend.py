"""Where a served dataset comes from: a folder of files, or the team database.

The store, the CLI and the watchers ask a backend for a Dataset and nothing else, so the
pages, the API and the exports never know which one they read. The database's backend
lives in ``almaty_map.database`` (it needs SQLAlchemy and psycopg, which files do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from almaty_map.geodata.dataset import Dataset, inspect_dataset, load_dataset
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.source import MemorySource, Source


class Backend(Protocol):
    def load(self) -> Dataset:
        """The current dataset; raise DataError if it has errors."""
        ...

    def inspect(self) -> tuple[Dataset | None, list[Problem]]:
        """The current dataset (None if it has errors) and every problem found."""
        ...

    def describe(self) -> str:
        """How logs and notices name it (never with a password)."""
        ...

    def source(self, dataset: Dataset) -> Source:
        """What requests select their events from, for a dataset this backend gave."""
        ...


@dataclass(frozen=True)
class FilesBackend:
    folder: Path
    max_bytes: int

    def load(self) -> Dataset:
        return load_dataset(self.folder, self.max_bytes)

    def inspect(self) -> tuple[Dataset | None, list[Problem]]:
        return inspect_dataset(self.folder, self.max_bytes)

    def describe(self) -> str:
        return Path(self.folder).name

    def source(self, dataset: Dataset) -> Source:
        return MemorySource(dataset)
