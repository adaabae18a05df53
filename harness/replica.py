"""A hot-standby replica of a throwaway cluster (harness.postgres), for `--db-read`.

Built as PostgreSQL documents it: ``pg_basebackup -R`` from the primary (which writes the
standby.signal and primary_conninfo), in a temporary folder, on a free port, as the
cluster's owner; it then streams the primary's WAL and answers read-only queries.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.postgres import Cluster
from harness.serving import free_port


@contextlib.contextmanager
def standby(primary: Cluster) -> Iterator[Cluster]:
    """A started streaming replica of ``primary``; stopped and deleted afterwards."""
    level = primary.sql("SHOW wal_level")
    if level not in ("replica", "logical"):
        raise RuntimeError(f"the primary's wal_level is {level}; a replica needs 'replica'")
    # The throwaway cluster commits without waiting for its WAL (speed, for tests); with a
    # standby, commit as PostgreSQL does by default, so a commit streams at once instead of
    # up to wal_writer_delay later: the lag measured is the replica's, not this shortcut's.
    primary.sql("ALTER SYSTEM SET synchronous_commit = on")
    primary.sql("SELECT pg_reload_conf()")
    folder = Path(tempfile.mkdtemp(prefix="almaty-map-pg-standby-"))
    shutil.chown(folder, primary.user)
    (folder / "socket").mkdir()
    shutil.chown(folder / "socket", primary.user)
    replica = Cluster(folder, free_port(), primary.user)
    try:
        primary.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", primary.user),
            *("-D", str(folder / "data"), "-R", "-X", "stream", "-c", "fast"),
            capture_output=True,
            check=True,
        )
        with (folder / "data" / "postgresql.conf").open("a") as conf:  # later lines win
            conf.write(
                f"port = {replica.port}\nunix_socket_directories = '{folder / 'socket'}'\n"
                "hot_standby = on\n"
            )
        replica.start()
        yield replica
    finally:
        replica.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
