"""`almaty-map db dump PATH`: write the database's current version as a dataset folder."""

from __future__ import annotations

from pathlib import Path

import click

from almaty_map.cli.db_options import database_option, engine_or_exit, schema_or_exit, shown_url


@click.command("dump")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@database_option
def command(path: Path, db: str) -> None:
    """Write the database's current version as a dataset folder.

    PATH must be new or empty. It receives dataset.toml and corrections.toml as they were
    loaded, places.geojson and events.geojson with every property kept: a folder `validate`
    accepts and `db load` takes back unchanged (a backup, or a copy to edit).

    \b
    Example:
      almaty-map db dump backup/almaty --db postgresql://almaty@localhost/almaty_map
    """
    from almaty_map.database.dumping import write_folder

    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise click.BadParameter(
            f"{path} is not empty; give a new or empty folder", param_hint="PATH"
        )
    engine = engine_or_exit(db)
    shown = shown_url(db)
    schema_or_exit(engine, shown)
    path.mkdir(parents=True, exist_ok=True)
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        connection.begin(),
    ):
        version = write_folder(connection, path)
    if version is None:
        click.echo(f"Error: the database at {shown} holds no dataset yet.", err=True)
        raise SystemExit(1)
    click.echo(f"Wrote version {version.number} ({version.event_count} events) to {path}.")
