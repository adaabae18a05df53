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
import time
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine, event, exc

_DEADLINE = "almaty_map_deadline"


def bound_waits(engine: Engine, statement_s: float, ping_s: float) -> None:
    """Give every statement on ``engine`` ``statement_s`` seconds and each checkout's ping
    ``ping_s``."""
    watch = _Watch()

    @event.listens_for(engine, "before_cursor_execute")
    def arm(connection, cursor, statement, parameters, context, executemany) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        connection.info[_DEADLINE] = watch.arm(dbapi_connection, statement_s)

    @event.listens_for(engine, "after_cursor_execute")
    def disarm(connection, cursor, statement, parameters, context, executemany) -> None:
        watch.disarm(connection.info.pop(_DEADLINE, None))

    @event.listens_for(engine, "handle_error")
    def disarm_failed(context) -> None:
        if context.connection is not None:
            watch.disarm(context.connection.info.pop(_DEADLINE, None))

    @event.listens_for(engine.pool, "checkout")
    def ping(dbapi_connection, record, proxy) -> None:
        """A connection that died (a restart) is replaced by a new one; a database that
        let the ping wait out its deadline would not answer a new one either, so that
        is the request's error at once."""
        deadline = watch.arm(dbapi_connection, ping_s)
        try:
            engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error:
            if deadline.fired:
                raise
            raise exc.DisconnectionError() from None
        finally:
            watch.disarm(deadline)


@dataclass(eq=False)
class _Deadline:
    at: float
    dbapi_connection: object
    fired: bool = False


class _Watch:
    """One thread for all of an engine's deadlines, started with the first: a thread per
    statement took 14 ms to start on a busy machine, more than the statement."""

    def __init__(self) -> None:
        self._armed: set[_Deadline] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        # When the watch wakes next (0 while it is awake): an earlier deadline wakes it.
        self._wakes_at = 0.0

    def arm(self, dbapi_connection, seconds: float) -> _Deadline:
        deadline = _Deadline(time.monotonic() + seconds, dbapi_connection)
        with self._changed:
            self._armed.add(deadline)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
            if deadline.at < self._wakes_at:  # else the watch wakes before it anyway
                self._changed.notify()
        return deadline

    def disarm(self, deadline: _Deadline | None) -> None:
        if deadline is not None:
            with self._changed:
                self._armed.discard(deadline)

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                due = {d for d in self._armed if d.at <= now}
                self._armed -= due
                for deadline in due:
                    deadline.fired = True
                if not due:
                    self._wakes_at = min((d.at for d in self._armed), default=now + 60)
                    self._changed.wait(self._wakes_at - now)
                    self._wakes_at = 0.0
            for deadline in due:
                _shut(deadline.dbapi_connection)


def _shut(dbapi_connection) -> None:
    """End the connection under the driver that waits on it (a copy of its socket is shut:
    that ends the one connection both name, and leaves the driver's own to close)."""
    try:
        descriptor = os.dup(dbapi_connection.pgconn.socket)
    except (OSError, psycopg.Error):  # already closed: nothing waits on it
        return
    with socket.socket(fileno=descriptor) as copy, contextlib.suppress(OSError):
        copy.shutdown(socket.SHUT_RDWR)
