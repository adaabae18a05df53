"""Opening the team database from the URL an operator gives (``--db``).

Every message names the database by its URL with the password hidden, since messages end
up in logs and terminals that others read.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, exc
from sqlalchemy.engine import URL, make_url

from almaty_map.database.deadline import bound_waits

# Plain postgresql:// (what psql and most tools take) means psycopg 3 here.
_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be used; the message is one line naming it (password hidden)."""


def database_url(text: str) -> URL:
    """The SQLAlchemy URL for ``text``; anything but a PostgreSQL URL is refused."""
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise DatabaseUnavailableError(
            "The database URL is not a URL; expected postgresql://USER:PASSWORD@HOST:PORT/NAME"
        ) from None
    url = url.set(drivername=_DRIVERS.get(url.drivername, url.drivername))
    if url.drivername != "postgresql+psycopg":
        raise DatabaseUnavailableError(
            f"The database URL {shown(url)} is not a PostgreSQL URL; expected "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME"
        )
    return url


def shown(url: URL) -> str:
    """The URL as messages show it (as people write it: postgresql://), password ***."""
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def libpq_conninfo(url: URL) -> str:
    """The URL as psycopg itself takes it (for LISTEN, which needs a connection of its own)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def open_engine(text: str, timeout: float | None = None) -> Engine:
    """An engine whose database answered now; raise DatabaseUnavailableError otherwise."""
    engine = make_engine(text, timeout)
    try:
        with engine.connect():
            pass
    except exc.OperationalError as error:
        engine.dispose()
        url = database_url(text)
        raise DatabaseUnavailableError(
            f"Cannot connect to the database at {shown(url)}: {reason(error, url)}"
        ) from None
    return engine


def make_engine(text: str, timeout: float | None = None) -> Engine:
    """An engine that connects when first used (pooled connections are checked before each
    use, so one that died with a restart is replaced, not handed to a request).

    ``timeout`` (seconds) bounds what a server's request may wait for: connecting, a free
    connection from the pool, and each statement, so a database that hangs costs a reader
    a 503 after that long, never a request stuck for good. A host that vanished is noticed
    by the kernel (unacknowledged data, unanswered keepalives); a database that stopped
    answering on a live host, by the server itself (``deadline``). Commands that load a
    whole dataset leave it out (a load of a million events takes minutes)."""
    url = database_url(text)
    if timeout is None:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    third = max(1, round(timeout / 3))
    connect_args = {
        "connect_timeout": third,
        "options": f"-c statement_timeout={round(timeout * 1000)}",
        "tcp_user_timeout": round(timeout * 1000),
        "keepalives": 1,
        "keepalives_idle": third,
        "keepalives_interval": 1,
        "keepalives_count": 3,
    }
    engine = create_engine(url, pool_timeout=timeout, connect_args=connect_args)
    # A second past PostgreSQL's own statement_timeout: a live database cancels a slow
    # statement itself (and says so), the deadline only ends a wait nobody else will. The
    # check of a pooled connection gets two thirds: a busy database may be slow to answer
    # even that, and a hung one is then still a 503 within the timeout.
    bound_waits(engine, timeout + 1, 2 * timeout / 3)
    return engine


def reason(error: exc.DBAPIError, url: URL) -> str:
    """The driver's own explanation on one line, never containing the password."""
    text = " ".join(str(error.orig).split()) or type(error.orig).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return text
