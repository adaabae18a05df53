"""`almaty-map serve`: the site on waitress, the production server."""

from __future__ import annotations

import errno
import logging

import click

from almaty_map.cli.options import data_option, max_size_option, report

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


@click.command("serve")
@host_option
@port_option
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 512),
    help="Worker threads answering requests.",
)
@data_option
@click.option(
    "--watch",
    is_flag=True,
    help="Reload the dataset when its files change; a bad edit keeps the last good data served.",
)
@max_size_option
def command(host, port, threads, data, watch, max_mb) -> None:
    """Serve the map, the reader's page and the API (production server).

    Uses waitress. The dataset is loaded and validated first: a dataset with errors is
    reported and nothing is served.

    \b
    Example:
      almaty-map serve --port 8080 --data path/to/my-dataset
    """
    from waitress import create_server

    from almaty_map.app import create_app
    from almaty_map.geodata.errors import DataError
    from almaty_map.maprender.origins import OriginError

    try:
        app = create_app({"DATA_PATH": str(data), "MAX_FILE_MB": max_mb, "WATCH": watch})
    except DataError as exc:
        click.echo(f"The dataset in {data} cannot be served:", err=True)
        report(exc.problems)
        raise SystemExit(1) from None
    except OriginError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="almaty-map")
    except OSError as exc:
        click.echo(address_problem(exc, host, port), err=True)
        raise SystemExit(1) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    watching = " (reloading when its files change)" if watch else ""
    click.echo(f"Serving {app.config['DATA_PATH']}{watching} on http://{host}:{port}/", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.close()
