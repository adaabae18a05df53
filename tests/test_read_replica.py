"""`serve --db PRIMARY --db-read REPLICA`: a version loaded on the primary reaches readers
through a real hot-standby replica, and only once the replica has replayed it."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from click.testing import CliRunner

from almaty_map.cli import main
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from harness.postgres import cluster
from harness.replica import standby
from harness.serving import running
from tests.conftest import DATA, loaded_database, new_database
from tests.team import load, readiness, served_version, until

pytestmark = [pytest.mark.db, pytest.mark.server]


def event_ids(base: str) -> set[str]:
    with urllib.request.urlopen(base + "/ogc/collections/events/items?limit=1000") as response:
        return {feature["id"] for feature in json.loads(response.read())["features"]}


def test_a_load_on_the_primary_reaches_readers_through_the_replica(tmp_path):
    with cluster() as primary, standby(primary) as replica:
        name, url = new_database(primary)
        loaded_database(url, DATA / "base")
        read_url = replica.url(name)
        until(lambda: replica.sql("SELECT count(*) FROM versions", name) == "1", 10, "replay")
        log = tmp_path / "serve.log"
        with running("--db", url, "--db-read", read_url, log=log) as server:
            assert len(event_ids(server.url)) == 3
            old = served_version(server.url)
            replica.sql("SELECT pg_wal_replay_pause()")
            new = load(url, BUNDLED)
            time.sleep(2)  # heard from the primary, but the replica has not replayed it
            assert served_version(server.url) == old
            replica.sql("SELECT pg_wal_replay_resume()")
            took = until(lambda: served_version(server.url) == new, 2, "the new version")
            assert event_ids(server.url) == set(load_dataset().events["id"])
            primary.stop("fast")  # readers read the replica: they go on being served
            assert readiness(server.url)[0] == 200
            assert event_ids(server.url) == set(load_dataset().events["id"])
            # A reading command needs only the replica, the primary being down.
            checked = CliRunner().invoke(main, ["validate", "--db", url, "--db-read", read_url])
            assert checked.exit_code == 0, checked.output
    print(f"version on the primary served through the replica {took:.2f} s after replay")
    assert "read from the replica at postgresql://" in log.read_text()
