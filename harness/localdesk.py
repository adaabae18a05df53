"""`make desk`: the editors' desk on this machine, with a database of its own, to try it.

One command for a newcomer: a PostgreSQL cluster kept in a folder of the checkout
(``.desk-db/``), the bundled dataset loaded into it the first time, then `almaty-map serve
--db` with the desk on. Run again, it reuses the cluster and what was done in it (accounts,
corrections); `python -m harness.localdesk stop` stops the database server. Local HTTP only:
the desk's cookies are sent without ``Secure`` and the server listens on loopback.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness import postgres
from harness.serving import START, free_port

ROOT = Path(__file__).parents[1]
DATABASE = "almaty_map"


@dataclass(frozen=True)
class LocalDesk:
    cluster: postgres.Cluster
    url: str
    secret_key: str


def _cluster(folder: Path, db_port: int | None) -> tuple[postgres.Cluster, bool]:
    """The folder's cluster, started (made first if there is none); and whether it is new."""
    home = folder / "cluster"
    if not (home / "data" / "PG_VERSION").exists():
        return postgres.create(home, db_port or free_port(), throwaway=False), True
    cluster = postgres.reopen(home)
    if db_port and db_port != cluster.port:
        if cluster.running():
            cluster.stop()
        with (home / "data" / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {db_port}\n")
        cluster = postgres.reopen(home)
    if not cluster.running():
        cluster.start()
    return cluster, False


def _database(cluster: postgres.Cluster) -> str:
    """The desk's database (PostGIS in it), made if missing; its URL as people write it."""
    found = cluster.sql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
    url = cluster.create_database(DATABASE) if found != "1" else cluster.url(DATABASE)
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _secret_key(folder: Path) -> str:
    """The key that signs the desk's session cookies, made once and kept (readable by this
    user only), so signing in survives a restart."""
    path = folder / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", START, *args]


def _tables_and_data(url: str) -> list[list[str]]:
    """The `almaty-map db` commands the database still needs: its tables (or their
    upgrade), then the bundled dataset if it holds no version yet."""
    from sqlalchemy import func, select

    from almaty_map.database import migrate, schema
    from almaty_map.database.connect import open_engine
    from almaty_map.geodata.bundled import BUNDLED

    load = _command("db", "load", str(BUNDLED), "--db", url)
    engine = open_engine(url)
    try:
        found = migrate.current(engine)
        if found is None:
            return [_command("db", "init", "--db", url), load]
        steps = [] if found == migrate.head() else [_command("db", "upgrade", "--db", url)]
        with engine.connect() as connection:
            versions = connection.execute(select(func.count()).select_from(schema.versions))
            return steps if versions.scalar_one() else [*steps, load]
    finally:
        engine.dispose()


def prepare(folder: Path, db_port: int | None = None) -> LocalDesk:
    """Everything the desk needs before its server starts, made or reused."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the database server's own user must reach its cluster inside
    cluster, new = _cluster(folder, db_port)
    print(("Started a new" if new else "Using the") + f" database server in {cluster.folder}.")
    url = _database(cluster)
    for step in _tables_and_data(url):
        subprocess.run(step, cwd=ROOT, check=True)
    return LocalDesk(cluster, url, _secret_key(folder))


def environment(desk: LocalDesk) -> dict[str, str]:
    """The server's settings: the desk on, cookies over plain HTTP, the kept key."""
    return {
        **os.environ,
        "ALMATY_MAP_DESK": "on",
        "ALMATY_MAP_DESK_SECURE_COOKIES": "false",
        "ALMATY_MAP_SECRET_KEY": desk.secret_key,
    }


def instructions(desk: LocalDesk, host: str, port: int) -> str:
    cli = ".venv/bin/almaty-map"
    return (
        f"\nThe desk: http://{host}:{port}/desk (the public map: http://{host}:{port}/)\n"
        "Add accounts in another terminal (each asks for a password, 12 characters or more):\n"
        f"  {cli} users add alice --role editor --db {desk.url}\n"
        f"  {cli} users add bob --role reviewer --db {desk.url}\n"
        f"  {cli} users add admin --role admin --db {desk.url}\n"
        "Ctrl-C stops the map; the database keeps running for the next `make desk` "
        "(`make desk-stop` stops it).\n"
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make desk", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--folder", type=Path, default=ROOT / ".desk-db")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="the map's port")
    parser.add_argument("--db-port", type=int, help="the database's port (default: a free one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = _arguments(argv)
    if options.action == "stop":
        home = options.folder / "cluster"
        if not (home / "data" / "PG_VERSION").exists():
            print(f"No database server in {home}: nothing to stop.")
            return
        postgres.reopen(home).stop()
        print(f"Stopped the database server in {home}.")
        return
    try:
        desk = prepare(options.folder.resolve(), options.db_port)
    except postgres.PostgresUnavailableError as exc:
        sys.exit(f"Error: {exc}")
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or b"").decode(errors="replace").strip()
        sys.exit(
            f"Error: {' '.join(map(str, exc.cmd))} failed (status {exc.returncode}). {said}\n"
            f"The database server runs as {postgres.owner()}: it must be able to reach "
            f"{options.folder.resolve()} (every folder above it searchable by that user)."
        )
    print(instructions(desk, options.host, options.port), flush=True)
    command = _command("serve", "--db", desk.url, "--host", options.host)
    os.chdir(ROOT)
    os.execve(sys.executable, [*command, "--port", str(options.port)], environment(desk))


if __name__ == "__main__":
    main()
