"""The team database as a backend: a server keeps each version's head and selects its events
per request (``database.source``); the CLI's commands that need every event read it whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import errors
from sqlalchemy import Connection, Engine, exc, text

from almaty_map.database.connect import (
    DatabaseUnavailableError,
    database_url,
    make_engine,
    open_engine,
    reason,
    shown,
)
from almaty_map.database.dumping import Version
from almaty_map.database.head import read_head
from almaty_map.database.reading import read_version
from almaty_map.database.schema import REVISION
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
    # A streaming replica to read from (--db-read); the primary (url) is still the one
    # listened to, since a hot standby never delivers NOTIFY.
    read_url: str | None = None
    # Seconds a read may wait on the database (see connect.open_engine); None: no bound.
    timeout: float | None = None
    engine: Engine = field(init=False, repr=False)
    primary: Engine = field(init=False, repr=False)
    # The version the last successful read returned, to tell when a new one is loaded.
    version: Version | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        """Only the database reads come from must answer now: with a replica, the primary
        may be down (readers are served; new versions wait for it, see listen.py)."""
        if self.read_url:
            self.engine = open_engine(self.read_url, self.timeout)
            self.primary = make_engine(self.url, self.timeout)
        else:
            self.engine = self.primary = open_engine(self.url, self.timeout)

    def describe(self) -> str:
        """What public notices call it (the URL, even without its password, names hosts)."""
        return "the team database"

    @property
    def shown_url(self) -> str:
        """The URL for logs and the operator's messages, password hidden."""
        return shown(database_url(self.url))

    @property
    def shown_read_url(self) -> str:
        """Where reads go, as the logs name it (the primary's URL when there is no replica)."""
        return shown(database_url(self.read_url or self.url))

    def ping(self) -> None:
        """Raise DatabaseUnavailableError unless the database reads come from answers now
        (for the readiness endpoint a load balancer asks)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise DatabaseUnavailableError(
                f"The database at {self.shown_read_url} does not answer: "
                f"{reason(error, database_url(self.read_url or self.url))}"
            ) from None

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
                f"The database at {self.shown_read_url} stopped answering: "
                f"{reason(error, database_url(self.read_url or self.url))}"
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
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if found != REVISION:
            raise DatabaseUnavailableError(
                f"The database at {self.shown_url} has its tables at schema revision {found}, "
                f"this almaty-map needs {REVISION}: run `almaty-map db upgrade --db URL` first"
            )
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
