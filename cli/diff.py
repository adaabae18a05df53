"""`almaty-map diff`: what a new version of a dataset changes, before it is published."""

from __future__ import annotations

import json
from pathlib import Path

import click

from almaty_map.cli.options import (
    data_option,
    db_option,
    inspect_source,
    max_size_option,
    report,
    report_format_option,
)


def _load(folder: Path, max_mb: int, db: str | None = None):
    dataset, problems, name = inspect_source(folder, max_mb, db, status=2)
    if dataset is None:
        click.echo(f"The dataset in {name} cannot be loaded:", err=True)
        report(problems)
        raise SystemExit(2)
    return dataset


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def print_diff(diff) -> None:
    for change in diff.dataset:
        click.echo(f"dataset {change.field}: {_shown(change.old)} -> {_shown(change.new)}")
    for feature in diff.added:
        click.echo(f"+ {feature['id']}: {feature['properties']['title']}")
    for feature in diff.removed:
        click.echo(f"- {feature['id']}: {feature['properties']['title']}")
    for event_id, changes in diff.changed.items():
        click.echo(f"~ {event_id}")
        for change in changes:
            click.echo(f"    {change.field}: {_shown(change.old)} -> {_shown(change.new)}")
    click.echo(
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed, "
        f"{diff.unchanged} unchanged"
    )


@click.command("diff")
@click.argument("old", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new", required=False, type=click.Path(file_okay=False, path_type=Path))
@data_option
@db_option
@report_format_option
@max_size_option
def command(old: Path, new: Path | None, data: Path, db: str | None, fmt: str, max_mb: int) -> None:
    """List what NEW changes in OLD: events added, removed and changed, field by field.

    Both are dataset folders; NEW defaults to --data (the bundled dataset if not given),
    or with --db to the version the database serves.
    Events are compared as the API serves them, so reformatting a file shows no change.
    Exit status: 0 when nothing changed, 1 when something did, 2 when a dataset cannot be
    loaded.

    \b
    Examples:
      almaty-map diff published/ draft/
      almaty-map diff published/ --data draft/ --format json
    """
    from almaty_map.geodata.diff import diff_datasets

    newer = _load(new, max_mb) if new else _load(data, max_mb, db)
    result = diff_datasets(_load(old, max_mb), newer)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        print_diff(result)
    if not result.empty:
        raise SystemExit(1)
