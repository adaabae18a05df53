"""The dataset a running app serves, swapped whole when it is reloaded.

Views read ``store.source`` (or ``store.dataset``) once per request, so a reload never changes
the data under a request that is already running; the source holds its dataset, so the two
always belong together. A reload reads the files without holding the lock (the
lock only publishes its result), so nothing a dataset folder holds can stall anything else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, g

from almaty_map.geodata.backend import Backend, FilesBackend
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import Problem
from almaty_map.geodata.source import Source
from almaty_map.web.requestsource import SelectedOnce

_SOURCE = "almaty_map_source"


def current_dataset() -> Dataset:
    """The dataset this request should use (read once; a reload swaps it whole)."""
    return current_app.extensions["almaty_map"].dataset


def current_source() -> Source:
    """Where this request selects its events (read once, with its dataset: the two are
    swapped together), each filter selected once for the whole request."""
    found = g.get(_SOURCE)
    if found is None:
        store = current_app.extensions["almaty_map"]
        found = SelectedOnce(store.source, store.newest_source)
        setattr(g, _SOURCE, found)
    return found


def database_engine():
    """The SQLAlchemy engine of the database served from; None when it is a folder."""
    return getattr(current_app.extensions["almaty_map"].backend, "engine", None)


def serves_tiles() -> bool:
    """Vector tiles are built by the database, so only a server reading one has them."""
    return database_engine() is not None


@dataclass
class DatasetStore:
    folder: Path
    max_bytes: int
    # Where the data comes from; the folder's files unless another backend is given.
    backend: Backend | None = None
    dataset: Dataset = field(init=False)
    # What requests select events from: this dataset (files), or the database it heads.
    source: Source = field(init=False)
    last_problems: tuple[Problem, ...] = ()
    # What made the last reload fail outright (a fault of ours, not of the files), for the log.
    last_failure: Exception | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _begun: int = 0
    _published: int = 0

    def __post_init__(self) -> None:
        if self.backend is None:
            self.backend = FilesBackend(self.folder, self.max_bytes)
        self._publish(self.backend.load())

    def reload(self) -> bool:
        """Load the folder again; keep serving the last good dataset if it has errors, or if
        loading it fails in any way. A reload that finishes after a later one has published
        its result is dropped, so older files never replace newer ones."""
        with self._lock:
            self._begun += 1
            ticket = self._begun
        failure = None
        try:
            candidate, problems = self.backend.inspect()
        except Exception as exc:  # anything at all: the last good data stays up
            failure = exc
            candidate, problems = None, [_failure_problem(self.backend.describe(), exc)]
        with self._lock:
            if ticket < self._published:
                return False
            self._published = ticket
            self.last_failure = failure
            if candidate is None:
                self.last_problems = tuple(p for p in problems if p.severity == "error")
                return False
            self._publish(candidate)
            self.last_problems = ()
            return True

    def newest_source(self) -> Source:
        """The source after reading the newest version (a request found its own replaced:
        it is answered from the new one without waiting for the announcement)."""
        self.reload()
        return self.source

    def _publish(self, dataset: Dataset) -> None:
        self.source = self.backend.source(dataset)
        self.dataset = dataset

    def notice(self) -> str | None:
        """A line for the operator when the files on disk do not validate."""
        problems = self.last_problems
        if not problems:
            return None
        return (
            f"The dataset files were changed but have {len(problems)} error(s), so the last "
            f"good version is still shown. First: {problems[0]}"
        )


def _failure_problem(source: str, exc: Exception) -> Problem:
    """Named by the folder (or database) and the kind of fault only: the notice is on a
    public page, and the fault's own text (paths, values) belongs in the log."""
    return Problem(
        source,
        f"could not be loaded ({type(exc).__name__}); the server's log has the details",
    )
