"""A bound on how long a server waits for its database, kept by the server itself.

``statement_timeout`` is kept by PostgreSQL, ``tcp_user_timeout`` and keepalives by the
two kernels: a database whose processes are stopped (SIGSTOP, a paused virtual machine,
storage that hangs) still has a kernel that acknowledges every packet and answers every
probe, so none of them ends the wait, and a request would hang for good. So each statement
runs with a deadline here, and so does the ping a pooled connection gets before it is handed
out: one still waiting at its deadline has its connection's socket shut, which the driver
reports as a lost connection. The request is answered 503, and the next checkout's ping
finds the connection closed and the pool replaces it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import psycopg
from sqlalchemy import Engine, event, exc

_DEADLINE = "almaty_map_deadline"


def bound_waits(engine: Engine, statement_s: float, ping_s: float) -> None:
    """Give every statement on ``engine`` ``statement_s`` seconds and each checkout's ping
    ``ping_s``."""

    @event.listens_for(engine, "before_cursor_execute")
    def arm(connection, cursor, statement, parameters, context, executemany) -> None:
        connection.info[_DEADLINE] = _Deadline(connection.connection.dbapi_connection, statement_s)

    @event.listens_for(engine, "after_cursor_execute")
    def disarm(connection, cursor, statement, parameters, context, executemany) -> None:
        _cancel(connection.info)

    @event.listens_for(engine, "handle_error")
    def disarm_failed(context) -> None:
        if context.connection is not None:
            _cancel(context.connection.info)

    @event.listens_for(engine.pool, "checkout")
    def ping(dbapi_connection, record, proxy) -> None:
        """A connection that died (a restart) is replaced by a new one; a database that
        let the ping wait out its deadline would not answer a new one either, so that
        is the request's error at once."""
        deadline = _Deadline(dbapi_connection, ping_s)
        try:
            engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error:
            if deadline.fired.is_set():
                raise
            raise exc.DisconnectionError() from None
        finally:
            deadline.cancel()


class _Deadline:
    """A timer that shuts the connection's socket when it runs out, and says if it did."""

    def __init__(self, dbapi_connection, seconds: float) -> None:
        self.fired = threading.Event()
        self._timer = threading.Timer(seconds, self._shut, (dbapi_connection,))
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def _shut(self, dbapi_connection) -> None:
        """End the connection under the driver that waits on it (a copy of its socket is
        shut: that ends the one connection both name, and leaves the driver's own to
        close)."""
        self.fired.set()
        try:
            descriptor = os.dup(dbapi_connection.pgconn.socket)
        except (OSError, psycopg.Error):  # already closed: nothing waits on it
            return
        with socket.socket(fileno=descriptor) as copy, contextlib.suppress(OSError):
            copy.shutdown(socket.SHUT_RDWR)


def _cancel(info: dict) -> None:
    deadline = info.pop(_DEADLINE, None)
    if deadline is not None:
        deadline.cancel()
