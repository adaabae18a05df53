"""`almaty-map db upgrade`: bring the database's tables to this almaty-map's schema."""

from __future__ import annotations

import click

from almaty_map.cli.db_options import database_option, engine_or_exit, shown_url


@click.command("upgrade")
@database_option
def command(db: str) -> None:
    """Bring the database's tables to this almaty-map's schema.

    Run it after installing a newer almaty-map: it applies the migrations the database has
    not had yet, in one transaction (all or none), and keeps every version loaded.

    \b
    Example:
      almaty-map db upgrade --db postgresql://almaty:secret@localhost/almaty_map
    """
    from almaty_map.database import migrate

    engine = engine_or_exit(db)
    shown = shown_url(db)
    found = migrate.current(engine)
    if found is None:
        click.echo(
            f"Error: the database at {shown} has no almaty-map tables: run "
            f"`almaty-map db init --db {shown}`",
            err=True,
        )
        raise SystemExit(1)
    wanted = migrate.head()
    if found == wanted:
        click.echo(f"The database at {shown} is up to date (schema revision {found}).")
        return
    migrate.upgrade(engine)
    click.echo(f"Upgraded the database at {shown} from schema revision {found} to {wanted}.")
