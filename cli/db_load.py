"""`almaty-map db load PATH`: validate a dataset folder and make it the new version."""

from __future__ import annotations

from pathlib import Path

import click

from almaty_map.cli.db_options import (
    database_option,
    engine_or_exit,
    quiet_option,
    schema_or_exit,
    shown_url,
)
from almaty_map.cli.options import max_size_option, report


@click.command("load")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@database_option
@max_size_option
@quiet_option
@click.option(
    "--replace-desk-edits",
    is_flag=True,
    help="Load even over events published at the editors' desk since the last load "
    "(the folder's versions of them replace the desk's).",
)
def command(path: Path, db: str, max_mb: int, quiet: bool, replace_desk_edits: bool) -> None:
    """Validate a dataset folder and make it the database's new version.

    The folder is checked exactly as `validate` checks it; with any error, the report is
    printed and the database is left as it was. Otherwise it is written in one transaction
    (a load that is stopped changes nothing), recorded as a new version with what it
    changes against the one it replaces (printed, as `almaty-map diff` prints it), and every
    `serve --db` serves it at once. A database with corrections published at the editors'
    desk since its last load is not loaded over (the load would undo them) unless
    --replace-desk-edits is given: `db dump` it and load that folder instead.

    \b
    Example:
      almaty-map db load path/to/my-dataset --db postgresql://almaty@localhost/almaty_map
    """
    from almaty_map.cli.diff import print_diff
    from almaty_map.cli.progress import progress_shown
    from almaty_map.database.deskedits import DeskEditsError
    from almaty_map.database.loading import load_folder
    from almaty_map.geodata.errors import DataError
    from almaty_map.geodata.progress import advance

    engine = engine_or_exit(db)
    schema_or_exit(engine, shown_url(db))
    try:
        with progress_shown(quiet):
            loaded = load_folder(
                engine,
                path,
                max_mb * 2**20,
                lambda done, total: advance("Writing events", done, total, "events"),
                replace_desk_edits,
            )
    except DeskEditsError as exc:
        click.echo(f"Error: {path} was not loaded: {exc}.", err=True)
        raise SystemExit(1) from None
    except DataError as exc:
        click.echo(f"The dataset in {path} cannot be loaded:", err=True)
        report(exc.problems)
        raise SystemExit(1) from None
    if loaded.diff is not None:
        print_diff(loaded.diff)
    click.echo(f"Loaded {path} as version {loaded.number}: {loaded.summary}.")
