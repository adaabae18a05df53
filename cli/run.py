"""`almaty-map run`: Werkzeug's development server, restarted when the code changes."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import click

from almaty_map.cli.options import (
    chosen_database,
    chosen_replica,
    data_option,
    db_option,
    load_or_exit,
    max_size_option,
)
from almaty_map.cli.serve import address_problem, host_option, port_option


def _check_address(host: str, port: int) -> None:
    """Fail with one line before the reloader starts if the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            click.echo(address_problem(exc, host, port), err=True)
            raise SystemExit(1) from None


def _restarting(environ, start_response):
    """The parent process never answers requests; this only satisfies run_simple."""
    start_response("503 Service Unavailable", [("Retry-After", "1")])
    return [b"restarting"]


@click.command("run")
@host_option
@port_option
@data_option
@db_option
@click.option(
    "--extra-files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also restart when this file changes (repeatable).",
)
@max_size_option
def command(host, port, data, db, extra_files, max_mb) -> None:
    """Run the development server, restarted when the code changes.

    For working on almaty-map itself: Werkzeug's server restarts whenever a Python file of
    the program (or a file given with --extra-files) changes, and shows tracebacks in the
    log. To reload a dataset as you edit it, use `almaty-map serve --watch`; for anything
    but development, use `almaty-map serve`.

    \b
    Example:
      almaty-map run --port 8080 --data path/to/my-dataset
    """
    from werkzeug.serving import run_simple

    from almaty_map.app import create_app

    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":  # the child, which serves
        load_or_exit(data, max_mb, db=db)
        database = chosen_database(db) or ""
        replica = chosen_replica(db) or ""
        app = create_app(
            {
                "DATA_PATH": str(data),
                "MAX_FILE_MB": max_mb,
                "DATABASE_URL": database,
                "DATABASE_READ_URL": replica,
            }
        )
    else:  # the parent only watches files and restarts the child
        _check_address(host, port)
        app = _restarting
    run_simple(
        host,
        port,
        app,
        use_reloader=True,
        use_debugger=False,
        extra_files=[str(p) for p in extra_files],
    )
