"""Serving each new version as soon as `almaty-map db load` commits it (`serve --db`).

A thread LISTENs on the channel the load notifies in its own transaction, so the
notification arrives only once the version can be read, and reloads the store. While the
database is away the last good version keeps being served from memory; the thread
reconnects every second, and on reconnecting catches up with any version loaded meanwhile.

With a read replica (``--db-read``) the thread still listens on the primary: a hot standby
never delivers NOTIFY. The notification then means the version is committed on the primary,
not yet that the replica has replayed it, so the thread waits (bounded) until the replica's
versions table holds it before switching; reading earlier would reload the old version.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from psycopg import sql
from sqlalchemy import exc

from almaty_map.database.backend import PostgisBackend
from almaty_map.database.connect import database_url, libpq_conninfo
from almaty_map.database.dumping import latest_version
from almaty_map.database.schema import CHANNEL
from almaty_map.web.store import DatasetStore

log = logging.getLogger("almaty_map.listen")
# How long a new version may take to reach the replica before the log says so (the server
# keeps serving the version it has, and keeps waiting for the replica).
REPLAY_WAIT = 30.0
REPLAY_POLL = 0.05


class VersionListener(threading.Thread):
    def __init__(self, store: DatasetStore, retry: float = 1.0):
        super().__init__(name="almaty-map-listen", daemon=True)
        if not isinstance(store.backend, PostgisBackend):
            raise TypeError("VersionListener needs a store that reads the team database")
        self.store = store
        self.backend: PostgisBackend = store.backend
        self.retry = retry
        self.stopped = threading.Event()
        # Set while connected and listening, so a caller can tell a load will be heard.
        self.listening = threading.Event()
        self._lost = False
        # A version the replica had not replayed in time: waited for again at once.
        self._behind = False

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self._listen()
            except (psycopg.OperationalError, exc.OperationalError) as error:
                if not self._lost:  # one warning per outage, not one a second
                    log.warning(
                        "Lost the database at %s (%s); serving the version in memory and "
                        "trying again every %g s",
                        self.backend.shown_url,
                        " ".join(str(error).split()),
                        self.retry,
                    )
                self._lost = True
            except Exception:
                log.exception("Listening for new versions failed; trying again")
            self.listening.clear()
            self.stopped.wait(self.retry)

    def _listen(self) -> None:
        conninfo = libpq_conninfo(database_url(self.backend.url))
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
            self.listening.set()
            if self._lost:
                log.info("The database at %s answers again", self.backend.shown_url)
                self._lost = False
            self._catch_up()
            while not self.stopped.is_set():
                for _ in connection.notifies(timeout=1.0, stop_after=1):
                    self._catch_up()
                if self._behind:
                    self._catch_up()

    def _catch_up(self) -> None:
        """Reload if the database's version is not the one served."""
        with self.backend.primary.connect() as connection:
            latest = latest_version(connection)
        served = self.backend.version
        if latest is None or (served is not None and latest.number == served.number):
            return
        self._behind = not self._replayed(latest.number)
        if self._behind:
            log.warning(
                "Version %d is not on the replica at %s after %g s; still serving version %s",
                latest.number,
                self.backend.shown_read_url,
                REPLAY_WAIT,
                served.number if served else "none",
            )
            return
        if self.store.reload():
            log.info(
                "Serving version %d from %s: %d events",
                latest.number,
                self.backend.shown_read_url,
                self.store.dataset.event_count,
            )
            return
        log.warning(
            "Version %d in %s cannot be served; still serving the last good one: %s",
            latest.number,
            self.backend.shown_url,
            self.store.notice(),
            exc_info=self.store.last_failure,
        )

    def _replayed(self, number: int) -> bool:
        """True once the database reads come from holds version ``number`` (at once
        without a replica); False after REPLAY_WAIT or when asked to stop."""
        if self.backend.engine is self.backend.primary:
            return True
        deadline = time.monotonic() + REPLAY_WAIT
        while not self.stopped.is_set():
            with self.backend.engine.connect() as connection:
                replayed = latest_version(connection)
            if replayed is not None and replayed.number >= number:
                return True
            if time.monotonic() > deadline:
                return False
            self.stopped.wait(REPLAY_POLL)
        return False

    def stop(self) -> None:
        self.stopped.set()
