"""The team database as a backend: a server keeps each version's head and selects its events
per request (``database.source``); the CLI's commands that need every event read it whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import errors
from sqlalchemy import Connection, Engine, exc

from almaty_map.database.connect import (
    DatabaseUnavailableError,
    database_url,
    open_engine,
    reason,
    shown,
)
from almaty_map.database.dumping import Version
from almaty_map.database.head import read_head
from almaty_map.database.reading import read_version
from almaty_map.database.source import PostgisSource
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import DataError, Problem
from almaty_map.geodata.source import MemorySource, Source


@dataclass
class PostgisBackend:
    url: str
    max_bytes: int
    # Read every event into memory (validate, diff and the CLI), or only the head (serve).
    whole: bool = True
    engine: Engine = field(init=False, repr=False)
    # The version the last successful read returned, to tell when a new one is loaded.
    version: Version | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.engine = open_engine(self.url)

    def describe(self) -> str:
        """What public notices call it (the URL, even without its password, names hosts)."""
        return "the team database"

    @property
    def shown_url(self) -> str:
        """The URL for logs and the operator's messages, password hidden."""
        return shown(database_url(self.url))

    def inspect(self) -> tuple[Dataset | None, list[Problem]]:
        """Read the current version in one consistent snapshot; a database with no version
        yet, or one that stopped answering, raises DatabaseUnavailableError."""
        try:
            with (
                self.engine.connect().execution_options(
                    isolation_level="REPEATABLE READ"
                ) as connection,
                connection.begin(),
            ):
                version, dataset, problems = self._read(connection)
        except exc.OperationalError as error:
            raise DatabaseUnavailableError(
                f"The database at {self.shown_url} stopped answering: "
                f"{reason(error, database_url(self.url))}"
            ) from None
        except exc.ProgrammingError as error:
            if not isinstance(error.orig, errors.UndefinedTable):
                raise
            raise DatabaseUnavailableError(
                f"The database at {self.shown_url} has no almaty-map schema: run "
                "`almaty-map db init --db URL` first"
            ) from None
        if version is None:
            raise DatabaseUnavailableError(
                f"The database at {self.shown_url} holds no dataset yet: load one with "
                "`almaty-map db load PATH --db URL`"
            )
        if dataset is not None:
            self.version = version
        return dataset, problems

    def _read(self, connection: Connection) -> tuple[Version | None, Dataset | None, list]:
        if self.whole:
            return read_version(connection, self.max_bytes)
        return read_head(connection, self.engine, self.max_bytes)

    def source(self, dataset: Dataset) -> Source:
        """What requests select from: the database itself, or the Dataset read whole."""
        if self.whole:
            return MemorySource(dataset)
        return PostgisSource(self.engine, dataset)

    def load(self) -> Dataset:
        dataset, problems = self.inspect()
        if dataset is None:
            raise DataError(problems)
        return dataset
