"""A throwaway PostgreSQL cluster with PostGIS, for the tests and the benchmarks.

A real server, never a stand-in: ``initdb`` into a new temporary folder, started on a free
loopback port with its socket in that folder, and removed afterwards. PostgreSQL refuses to
run as root, so when the tests run as root the cluster belongs to the ``postgres`` system
user (Debian's packages create it) and every server command runs as that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.serving import free_port

SERVER_USER = "postgres"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL or PostGIS is not installed; the message says what to install."""


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them out of the PATH)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name
    )
    if not found:
        raise PostgresUnavailableError(
            "PostgreSQL is not installed: `make postgres` (Debian: apt-get install postgresql "
            "postgresql-15-postgis-3) installs it."
        )
    return found[-1].parent


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int
    user: str

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy/psycopg URL over TCP on loopback (trust authentication)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str, **options) -> subprocess.CompletedProcess:
        """A server program from PostgreSQL's bin folder, as the cluster's owner."""
        return _as_owner([str(bin_dir() / command[0]), *command[1:]], self.user, **options)

    def sql(self, statement: str, database: str = "postgres") -> str:
        result = self.run(
            "psql",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atc",
            statement,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        """A new database with PostGIS (and pg_trgm for text search); returns its URL."""
        self.sql(f'CREATE DATABASE "{name}"')
        self.sql("CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm", name)
        return self.url(name)

    def stop(self, mode: str = "fast") -> None:
        self.run(
            "pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop", capture_output=True
        )

    def running(self) -> bool:
        """Whether its server is up (pg_ctl status: 0 running, 3 stopped)."""
        status = self.run("pg_ctl", "-D", str(self.folder / "data"), "status", capture_output=True)
        return status.returncode == 0

    def start(self) -> None:
        self.run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            capture_output=True,
            check=True,
        )


def reopen(folder: Path) -> Cluster:
    """The cluster ``create`` made in ``folder`` earlier, on the port its settings name (the
    last ``port =`` line wins, as it does for PostgreSQL)."""
    conf = (folder / "data" / "postgresql.conf").read_text(encoding="utf-8")
    ports = re.findall(r"^port = (\d+)", conf, flags=re.MULTILINE)
    return Cluster(folder, int(ports[-1]), owner())


def owner() -> str:
    """The system user a cluster made now belongs to (never root: PostgreSQL refuses it)."""
    return SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def _as_owner(command: list[str], user: str, **options) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, **options)


def create(
    folder: Path, port: int, *, throwaway: bool, settings: dict[str, str] | None = None
) -> Cluster:
    """A new cluster in ``folder`` (which must not hold one), started. A throwaway one
    trades durability for speed (no fsync); a kept one (``make desk``) keeps PostgreSQL's
    safe defaults, since its data outlives the run. ``settings`` are added to its
    postgresql.conf."""
    user = owner()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.chown(folder, user)
    (folder / "socket").mkdir(exist_ok=True)
    shutil.chown(folder / "socket", user)
    instance = Cluster(folder, port, user)
    instance.run(
        "initdb",
        "-D",
        str(folder / "data"),
        "-U",
        user,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        capture_output=True,
        check=True,
    )
    conf_lines = (
        f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{folder / 'socket'}'\nmax_connections = 200\n"
    )
    if throwaway:
        conf_lines += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
    conf_lines += "".join(f"{name} = '{value}'\n" for name, value in (settings or {}).items())
    with (folder / "data" / "postgresql.conf").open("a") as conf:
        conf.write(conf_lines)
    instance.start()
    return instance


@contextlib.contextmanager
def cluster(port: int | None = None, settings: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A started cluster; stopped and deleted when the block ends, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="almaty-map-pg-"))
    instance = Cluster(folder, port or free_port(), owner())
    try:
        instance = create(folder, instance.port, throwaway=True, settings=settings)
        yield instance
    finally:
        instance.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def serving_memory() -> dict[str, str]:
    """PostgreSQL's cache sized as its documentation advises for a dedicated server, a
    quarter of the machine's memory (the default, 128 MB, holds an eighth of a million
    events' table, and every page read past it comes from the system's cache instead).
    The README's team deployment sets the same."""
    quarter = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4
    return {"shared_buffers": f"{quarter // 2**20}MB"}
