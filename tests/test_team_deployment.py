"""Three `almaty-map serve --db` processes behind nginx (deploy/nginx.conf), under wrk load:
each new version reaches every process within 2 s, and a process killed mid-load costs the
readers nothing beyond what it had in flight."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from almaty_map.geodata.bundled import BUNDLED
from harness.cluster import team
from harness.loadgen import request_mix, run_wrk
from harness.postgres import cluster
from harness.replica import standby
from tests.conftest import loaded_database, new_database
from tests.team import (
    load,
    readiness,
    restart_under_load,
    revised_bundled,
    served_version,
    until,
)

pytestmark = [pytest.mark.db, pytest.mark.server, pytest.mark.load]
CONNECTIONS = 8
MIX = request_mix() + [("/readyz", False)] * 4


@pytest.fixture
def bundled_url(postgres):
    _, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    return url


def test_every_replica_and_nginx_serve_the_same_version(bundled_url, tmp_path):
    with team("--db", bundled_url, logs=tmp_path) as deployment:
        versions = {served_version(server.url) for server in deployment.servers}
        assert len(versions) == 1
        assert {served_version(deployment.url) for _ in range(6)} == versions


def test_a_new_version_reaches_every_replica_within_two_seconds_under_load(bundled_url, tmp_path):
    new_version_under_load(bundled_url, ["--db", bundled_url], tmp_path)


def test_through_a_read_replica_too(tmp_path):
    """The README's whole deployment: the three processes read a hot standby and hear new
    versions from the primary."""
    with cluster() as primary, standby(primary) as replica:
        name, url = new_database(primary)
        loaded_database(url, BUNDLED)
        read_url = replica.url(name)
        until(lambda: replica.sql("SELECT count(*) FROM versions", name) == "1", 10, "replay")
        new_version_under_load(url, ["--db", url, "--db-read", read_url], tmp_path)


def new_version_under_load(primary: str, serve: list[str], tmp_path) -> None:
    """Load a new version on ``primary`` while wrk loads nginx: every process serves it
    within 2 s of the load committing, and no request fails meanwhile."""
    revised = revised_bundled(tmp_path / "revised")
    with team(*serve, logs=tmp_path) as deployment, ThreadPoolExecutor(1) as pool:
        old = served_version(deployment.url)
        running = pool.submit(run_wrk, deployment.url, MIX, 8, connections=CONNECTIONS)
        time.sleep(2)
        new = load(primary, revised)
        assert new != old

        def everywhere() -> bool:
            return all(served_version(s.url) == new for s in deployment.servers)

        took = until(everywhere, 2.0, "the new version on every replica")
        result = running.result()
        through_nginx = {served_version(deployment.url) for _ in range(6)}
    print(f"new version on all 3 processes {took:.2f} s after the load committed; {result}")
    assert result.failures() == []
    assert through_nginx == {new}


def test_a_replica_killed_under_load_costs_no_more_than_its_requests_in_flight(
    bundled_url, tmp_path
):
    with team("--db", bundled_url, logs=tmp_path) as deployment, ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_wrk, deployment.url, MIX, 8, connections=CONNECTIONS)
        time.sleep(3)
        deployment.kill(1)
        result = running.result()
        after = [readiness(deployment.url)[0] for _ in range(9)]
        with pytest.raises(OSError):  # it is gone: the load really lost a replica
            readiness(deployment.servers[1].url)
    failed = result.s5xx + result.socket_errors + result.s4xx + result.other
    print(f"one of 3 replicas killed under load: {failed} failed; {result}")
    # nginx sends a request the killed process could not answer to the next one, so
    # at most those whose answer had begun to reach the client are lost.
    assert failed <= CONNECTIONS
    assert result.s2xx > 0 and result.s400 > 0
    assert after == [200] * 9


def test_reloading_nginx_under_load_answers_every_request_it_reads(bundled_url, tmp_path):
    """A reload's old workers finish what they hold and close idle keep-alive connections:
    a client sending on one at that moment sees it closed (browsers send again; wrk counts
    a read error), at most once per connection and reload. Nothing else may fail."""
    reloads = 3
    with team("--db", bundled_url, logs=tmp_path) as deployment, ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_wrk, deployment.url, MIX, 6, connections=CONNECTIONS)
        for _ in range(reloads):
            time.sleep(1.5)
            deployment.proxy.reload()
        result = running.result()
    print(f"nginx reloaded {reloads} times under load; {result}")
    assert (result.s5xx, result.s4xx, result.other) == (0, 0, 0)
    assert (result.connect, result.write, result.timeout) == (0, 0, 0)
    assert result.read <= CONNECTIONS * reloads
    slack = CONNECTIONS + result.threads + result.read
    assert 0 <= result.sent_ok - result.s2xx <= slack


def test_postgresql_restarted_under_load_through_nginx(tmp_path):
    """Through nginx, the outage is 503 with Retry-After from every process, passed on as
    it is (never retried into a 502), and all three come back by themselves."""
    with cluster() as own:
        _, url = new_database(own)
        loaded_database(url, BUNDLED)
        env = {"ALMATY_MAP_DATABASE_TIMEOUT": "3"}
        with team("--db", url, env=env, logs=tmp_path) as deployment:
            processes = [server.url for server in deployment.servers]
            restart_under_load(own, url, deployment.url, processes, tmp_path)
