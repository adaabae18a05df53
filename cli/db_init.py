"""`almaty-map db init`: create almaty-map's tables in an empty PostGIS database."""

from __future__ import annotations

import click

from almaty_map.cli.db_options import database_option, engine_or_exit, shown_url


@click.command("init")
@database_option
def command(db: str) -> None:
    """Create almaty-map's tables in an empty PostGIS database.

    Creates the PostGIS and pg_trgm extensions if they are missing (PostGIS needs a
    superuser: an administrator can create it beforehand), then the tables and indexes, with
    Alembic. A database that has them already is left alone: `db upgrade` updates it.

    \b
    Example:
      almaty-map db init --db postgresql://almaty:secret@localhost/almaty_map
    """
    from sqlalchemy import exc

    from almaty_map.database import migrate
    from almaty_map.database.connect import database_url, reason

    engine = engine_or_exit(db)
    shown = shown_url(db)
    found = migrate.current(engine)
    if found is not None:
        click.echo(
            f"Error: the database at {shown} has almaty-map's tables already (revision "
            f"{found}); `almaty-map db upgrade` brings them up to date.",
            err=True,
        )
        raise SystemExit(1)
    try:
        migrate.upgrade(engine)
    except exc.DBAPIError as error:
        click.echo(
            f"Error: could not create the tables in {shown}: {reason(error, database_url(db))}",
            err=True,
        )
        raise SystemExit(1) from None
    click.echo(f"Created almaty-map's tables in {shown} (schema revision {migrate.head()}).")
