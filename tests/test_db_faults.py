"""The team database going away while served: every answer is 200, or 503 with
Retry-After (never a 500, never a hang), and service comes back by itself."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import pytest
from sqlalchemy import exc, text

from almaty_map.app import create_app
from almaty_map.database.backend import PostgisBackend
from almaty_map.database.connect import DatabaseUnavailableError, open_engine
from almaty_map.geodata.bundled import BUNDLED
from harness.postgres import Cluster, cluster
from harness.serving import running
from tests.conftest import DATA, MAX_BYTES, loaded_database, new_database, stop_listening
from tests.team import restart_under_load

pytestmark = [pytest.mark.db]
DATABASE_TIMEOUT = 3
ENV = {"ALMATY_MAP_DATABASE_TIMEOUT": str(DATABASE_TIMEOUT)}


def test_readiness_is_503_with_retry_after_while_the_database_is_down(tmp_path):
    with cluster() as own:
        _, url = new_database(own)
        loaded_database(url, BUNDLED)
        app = create_app({"TESTING": True, "DATABASE_URL": url, "DATABASE_TIMEOUT": 3})
        try:
            client = app.test_client()
            ready = client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json["version"] == app.extensions["almaty_map"].dataset.fingerprint
            own.stop("fast")
            began = time.monotonic()
            down = client.get("/readyz", headers={"Accept": "application/json"})
            assert time.monotonic() - began < DATABASE_TIMEOUT
            assert down.status_code == 503
            assert down.headers["Retry-After"] == "5"
            assert down.headers["Cache-Control"] == "no-store"
            assert down.json["code"] == "ServiceUnavailable"
            assert url.split("@")[1] not in down.get_data(as_text=True)  # no hosts to readers
            page = client.get("/readyz")  # a browser gets the error page, not a traceback
            assert page.status_code == 503 and page.mimetype == "text/html"
            own.start()
            assert client.get("/readyz").status_code == 200  # the pool reconnects
        finally:
            stop_listening(app)


def test_a_frozen_database_is_503_within_the_timeout_never_a_hang():
    """PostgreSQL stopped dead (SIGSTOP: its host's kernel still acknowledges every packet,
    so neither statement_timeout nor TCP notices): a page and the readiness check are 503
    with Retry-After within DATABASE_TIMEOUT, and answer again once it runs on."""
    page = "/ogc/collections/events/items?limit=5"
    with cluster() as own:
        _, url = new_database(own)
        loaded_database(url, BUNDLED)
        app = create_app({"TESTING": True, "DATABASE_URL": url, **_timeout()})
        try:
            client = app.test_client()
            assert client.get(page).status_code == 200  # a pooled connection, then frozen
            with frozen(own):
                for path in (page, "/readyz", page):
                    began = time.monotonic()
                    answer = client.get(path, headers={"Accept": "application/json"})
                    assert time.monotonic() - began < DATABASE_TIMEOUT, path
                    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5")
            assert client.get(page).status_code == 200
        finally:
            stop_listening(app)


def _timeout() -> dict:
    return {"DATABASE_TIMEOUT": DATABASE_TIMEOUT}


@contextmanager
def frozen(own: Cluster) -> Iterator[None]:
    """Every process of the cluster stopped for the block: the postmaster first (it then
    starts no other), then its children until none is left running."""
    pid = int((own.folder / "data" / "postmaster.pid").read_text().split()[0])
    stopped = [psutil.Process(pid)]
    stopped[0].send_signal(signal.SIGSTOP)
    try:
        while fresh := [p for p in stopped[0].children(recursive=True) if p not in stopped]:
            for process in fresh:
                process.send_signal(signal.SIGSTOP)
                stopped.append(process)
        yield
    finally:
        for process in stopped:
            process.send_signal(signal.SIGCONT)


@pytest.mark.server
@pytest.mark.load
def test_postgresql_restarted_under_load_answers_200_or_503_and_comes_back(tmp_path):
    with cluster() as own:
        _, url = new_database(own)
        loaded_database(url, BUNDLED)
        log = tmp_path / "serve.log"
        with running("--db", url, env=ENV, log=log) as server:
            restart_under_load(own, url, server.url, [server.url], tmp_path)
    assert "answers again" in log.read_text()


def test_a_query_that_waits_on_a_lock_is_cancelled_after_the_timeout(database):
    """statement_timeout: a database that holds a read up (a lock, an overloaded server)
    costs the reader DATABASE_TIMEOUT, then an error the app answers 503, never a hang."""
    loaded_database(database, DATA / "base")
    backend = PostgisBackend(database, MAX_BYTES, timeout=2)
    blocker = open_engine(database)
    try:
        with blocker.begin() as connection:
            connection.execute(text("LOCK TABLE versions IN ACCESS EXCLUSIVE MODE"))
            began = time.monotonic()
            with pytest.raises(DatabaseUnavailableError, match="statement timeout"):
                backend.inspect()
            waited = time.monotonic() - began
        assert 1.5 < waited < 4
        assert backend.inspect()[0] is not None  # the lock gone, the same pool reads again
    finally:
        blocker.dispose()
        backend.engine.dispose()


def test_every_pooled_connection_busy_is_503_after_the_timeout(bundled_database):
    """A server whose connections are all taken (slow queries piling up) turns the next
    reader away after DATABASE_TIMEOUT with a 503, not a 500 and not an endless wait."""
    app = create_app({"TESTING": True, "DATABASE_URL": bundled_database, "DATABASE_TIMEOUT": 1})
    engine = app.extensions["almaty_map"].backend.engine
    held = []
    try:
        with pytest.raises(exc.TimeoutError):  # take every connection the pool has
            while True:
                held.append(engine.connect())
        began = time.monotonic()
        busy = app.test_client().get("/readyz")
        assert time.monotonic() - began < 3
        assert (busy.status_code, busy.headers["Retry-After"]) == (503, "5")
    finally:
        for connection in held:
            connection.close()
        stop_listening(app)
    assert app.test_client().get("/readyz").status_code == 200
