"""A database fault during a request, raised as the one error the app answers with 503.

Whatever the driver says (the server went away, a statement timed out, the connection was
reset), a request cannot be answered from the database: it is DatabaseUnavailableError,
named by the URL with its password hidden, never a 500 with a driver's traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import URL

from almaty_map.database.connect import DatabaseUnavailableError, reason, shown


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError, exc.InternalError) as error:
        raise DatabaseUnavailableError(
            f"The database at {shown(url)} did not answer: {reason(error, url)}"
        ) from None
