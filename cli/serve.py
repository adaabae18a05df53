"""`almaty-map serve`: the site on waitress, the production server."""

from __future__ import annotations

import errno
import gc
import logging
import resource
import socket

import click

from almaty_map.cli.options import (
    chosen_database,
    chosen_replica,
    data_option,
    db_option,
    max_size_option,
    report,
)

# Every request is a GET with a short query: anything larger is refused (413, 431) before it
# is buffered (waitress would otherwise take a 1 GB body to disk first).
MAX_BODY = 64 * 1024
MAX_HEADERS = 64 * 1024
# --host values meaning every interface: compared with, never bound to here.
WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104
ADDRESS_ERRORS = {
    errno.EADDRINUSE: "is already in use",
    errno.EACCES: "needs privileges this user does not have",
    errno.EADDRNOTAVAIL: "is not an address of this machine",
}


def host_option(func):
    return click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Interface to listen on (0.0.0.0 for every interface).",
    )(func)


def port_option(func):
    return click.option(
        "--port",
        default=5000,
        show_default=True,
        type=click.IntRange(1, 65535),
        help="Port to listen on.",
    )(func)


def address_problem(exc: OSError, host: str, port: int) -> str:
    """One line that names the address and how to choose another."""
    reason = ADDRESS_ERRORS.get(exc.errno, f"cannot be used ({exc.strerror or exc})")
    return (
        f"Error: {host}:{port} {reason}. Choose another port with --port "
        f"(or `make run PORT=8080`), or another interface with --host."
    )


def _waitress_options(func):
    """Options that become settings; left out, the ALMATY_MAP_* variable or its default
    applies (see the README's settings table)."""
    options = [
        click.option(
            "--threads",
            type=click.IntRange(1, 512),
            help="Worker threads answering requests [default: 8].",
        ),
        click.option(
            "--connection-limit",
            type=click.IntRange(1, 100_000),
            help="Open connections accepted at once; more wait in the listen queue "
            "[default: 1000].",
        ),
        click.option(
            "--channel-timeout",
            type=click.IntRange(1, 3600),
            help="Seconds before a connection that sends and receives nothing is closed "
            "[default: 30].",
        ),
        click.option(
            "--public-url",
            metavar="URL",
            help="The site's public address (https://map.example.org), for absolute links "
            "in the API [default: the address served on].",
        ),
        click.option(
            "--proxies",
            type=click.IntRange(0, 10),
            help="Reverse proxies in front whose X-Forwarded-* headers are trusted [default: 0].",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("serve")
@host_option
@port_option
@_waitress_options
@data_option
@db_option
@click.option(
    "--watch",
    is_flag=True,
    help="Reload the dataset when its files change; a bad edit keeps the last good data served.",
)
@max_size_option
def command(host, port, data, db, watch, max_mb, **settings) -> None:
    """Serve the map, the reader's page and the API (production server).

    Uses waitress. The dataset is loaded and validated first: a dataset with errors is
    reported and nothing is served. With --db, each version `almaty-map db load` makes is
    served as soon as it is loaded. In production, put a reverse proxy (nginx) in front:
    see "Deploying behind a reverse proxy" in the README.

    \b
    Example:
      almaty-map serve --port 8080 --data path/to/my-dataset
      almaty-map serve --public-url https://map.example.org --proxies 1
    """
    from almaty_map.app import create_app
    from almaty_map.database.connect import DatabaseUnavailableError
    from almaty_map.geodata.errors import DataError
    from almaty_map.maprender.origins import OriginError
    from almaty_map.web.settings import SettingError

    given = {name.upper(): value for name, value in settings.items() if value is not None}
    try:
        if watch:  # left out, ALMATY_MAP_WATCH decides
            given["WATCH"] = True
        given["DATABASE_URL"] = chosen_database(db) or ""
        given["DATABASE_READ_URL"] = chosen_replica(db) or ""
        app = create_app({"DATA_PATH": str(data), "MAX_FILE_MB": max_mb, **given})
    except (SettingError, DatabaseUnavailableError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    except DataError as exc:
        click.echo(f"The dataset in {data} cannot be served:", err=True)
        report(exc.problems)
        raise SystemExit(1) from None
    except OriginError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    server = _server_or_exit(app, host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo(f"Serving {_served(app)} on http://{host}:{port}/", err=True)
    if not app.config["PUBLIC_URL"] and host in WILDCARDS:
        click.echo(
            f"Links in the API will name {server.server_name}:{port}; give --public-url "
            "the address readers use.",
            err=True,
        )
    # What the start made lives as long as the server: out of the collector's sight, a full
    # collection no longer walks its ~200,000 objects (100 ms with every thread stopped,
    # a few times a minute under load).
    gc.freeze()
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.close()


def _served(app) -> str:
    """What the start-up line says is served (a database by its URL, password hidden)."""
    store = app.extensions["almaty_map"]
    if app.config["DATABASE_URL"]:
        how = "each new version as it is loaded"
        if app.config["DATABASE_READ_URL"]:
            how += f", read from the replica at {store.backend.shown_read_url}"
        return f"the database at {store.backend.shown_url} ({how})"
    watching = " (reloading when its files change)" if app.config["WATCH"] else ""
    return f"{app.config['DATA_PATH']}{watching}"


def _server_or_exit(app, host: str, port: int):
    """Waitress with the app's settings. It polls its sockets (select() stops at 1,024
    of them) and names itself by the address it was started on, which is what absolute
    links use when no public URL is set (never a client's Host header)."""
    from waitress import create_server

    connections = int(app.config["CONNECTION_LIMIT"])
    timeout = int(app.config["CHANNEL_TIMEOUT"])
    _allow_open_files(connections)
    try:
        return create_server(
            app,
            host=host,
            port=port,
            threads=int(app.config["THREADS"]),
            connection_limit=connections,
            channel_timeout=timeout,
            cleanup_interval=min(30, timeout),  # how often idle connections are looked for
            asyncore_use_poll=True,
            max_request_body_size=MAX_BODY,  # the site takes no uploads: 413 beyond this
            max_request_header_size=MAX_HEADERS,
            server_name=socket.getfqdn() if host in WILDCARDS else host,
            ident="almaty-map",
        )
    except OSError as exc:
        click.echo(address_problem(exc, host, port), err=True)
        raise SystemExit(1) from None


def _allow_open_files(connections: int) -> None:
    """Each connection is an open file: raise the soft limit to fit them if the hard one
    allows, and say so if it does not."""
    needed = connections + 64  # the dataset's files, logs, the listening socket
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard == resource.RLIM_INFINITY or hard >= needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        return
    click.echo(
        f"Warning: only {hard} open files are allowed, fewer than --connection-limit "
        f"{connections} needs; raise `ulimit -n` or lower the limit.",
        err=True,
    )
