"""`almaty-map validate`: check a dataset folder and list every problem."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from almaty_map.cli.options import (
    data_option,
    db_option,
    inspect_source,
    max_size_option,
    progress_options,
    report,
    report_format_option,
)
from almaty_map.cli.outfile import write_or_exit


@click.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@data_option
@db_option
@report_format_option
@max_size_option
@progress_options
def command(
    path: Path | None, data: Path, db: str | None, fmt: str, max_mb: int, quiet: bool
) -> None:
    """Check a dataset folder and list every problem.

    The folder is PATH, or --data PATH (the bundled dataset if neither is given); with
    --db, the version the database serves. Each line
    names the file, the feature (index and id), the field, what was expected and what was
    found. Exits with status 1 if there are errors (warnings alone exit 0).

    \b
    Examples:
      almaty-map validate path/to/my-dataset
      almaty-map validate --data path/to/my-dataset --format json
    """
    from almaty_map.cli.progress import progress_shown
    from almaty_map.language.offer import offered_languages, untranslated

    with progress_shown(quiet):
        dataset, problems, folder = inspect_source(path or data, max_mb, None if path else db)
    if dataset is not None:
        problems += untranslated(dataset.meta)
    problems = sorted(problems, key=lambda p: p.severity != "error")  # errors first, as in text
    text = io.StringIO()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "valid": dataset is not None,
                    "files": list(dataset.files) if dataset is not None else [],
                    "problems": [p.as_dict() for p in problems],
                },
                ensure_ascii=False,
                indent=1,
            ),
            file=text,
        )
    else:
        report(problems, text)
        if dataset is not None:
            click.echo(
                f"{folder}: valid, {len(dataset.events)} events, {len(dataset.places)} places "
                f"(read {', '.join(dataset.files)}); interface in "
                + ", ".join(offered_languages(dataset.meta)),
                file=text,
            )
    # backslashreplace: a folder named with bytes that are not UTF-8 is shown escaped.
    write_or_exit(text.getvalue().encode("utf-8", "backslashreplace"), None)
    if dataset is None:
        raise SystemExit(1)
