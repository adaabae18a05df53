"""`almaty-map db`: keep a dataset in a PostgreSQL/PostGIS database a team shares.

Each subcommand lives in its own module and is imported only when it runs, so
`almaty-map db --help` answers without SQLAlchemy or a database.
"""

from __future__ import annotations

import importlib

import click

# name -> (module under almaty_map.cli, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "init": ("db_init", "Create almaty-map's tables in an empty PostGIS database."),
    "load": ("db_load", "Validate a dataset folder and make it the database's new version."),
    "dump": ("db_dump", "Write the database's current version as a dataset folder."),
    "upgrade": ("db_upgrade", "Bring the database's tables to this almaty-map's schema."),
}


class _LazyDbGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        return importlib.import_module(f"almaty_map.cli.{SUBCOMMANDS[name][0]}").command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in SUBCOMMANDS.items()])


@click.group("db", cls=_LazyDbGroup)
def command() -> None:
    """Keep the dataset in a PostgreSQL/PostGIS database: init, load, dump, upgrade.

    Every subcommand takes --db URL (or ALMATY_MAP_DATABASE_URL), e.g.
    postgresql://almaty:secret@db.example.org:5432/almaty_map. Then `serve --db URL` (and
    every other command) reads the version loaded last.

    \b
    Examples:
      almaty-map db init --db postgresql://almaty@localhost/almaty_map
      almaty-map db load path/to/my-dataset --db postgresql://almaty@localhost/almaty_map
      almaty-map db dump backup/ --db postgresql://almaty@localhost/almaty_map
    """
