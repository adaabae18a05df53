"""What the `almaty-map db` subcommands share: the database option and opening it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from almaty_map.cli.options import DB_ENV, DB_HELP

if TYPE_CHECKING:
    from sqlalchemy import Engine


def database_option(func: Callable) -> Callable:
    return click.option("--db", "db", metavar="URL", envvar=DB_ENV, required=True, help=DB_HELP)(
        func
    )


def quiet_option(func: Callable) -> Callable:
    return click.option(
        "--quiet", "-q", is_flag=True, help="No progress bar (none is drawn when piped either)."
    )(func)


def engine_or_exit(db: str) -> Engine:
    """An engine for a database that answers, or a one-line error and exit status 1."""
    from almaty_map.database.connect import DatabaseUnavailableError, open_engine

    try:
        return open_engine(db)
    except DatabaseUnavailableError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None


def schema_or_exit(engine: Engine, shown: str) -> None:
    """Stop unless the database has this almaty-map's schema, saying which command fixes it."""
    from almaty_map.database import migrate

    found, wanted = migrate.current(engine), migrate.head()
    if found == wanted:
        return
    if found is None:
        hint = f"it has no almaty-map tables: run `almaty-map db init --db {shown}`"
    else:
        hint = (
            f"its tables are at revision {found}, this almaty-map needs {wanted}: run "
            f"`almaty-map db upgrade --db {shown}`"
        )
    click.echo(f"Error: the database at {shown} cannot be used yet; {hint}", err=True)
    raise SystemExit(1)


def shown_url(db: str) -> str:
    from almaty_map.database.connect import database_url, shown

    return shown(database_url(db))
