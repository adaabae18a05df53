"""`almaty-map query`: the events that match the filters, as GeoJSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from almaty_map.cli.options import (
    data_option,
    event_filter,
    filter_options,
    load_or_exit,
    max_size_option,
)


@click.command("query")
@data_option
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv"]),
    default="geojson",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@max_size_option
def command(data, start, end, categories, bbox, text, fmt, out, max_mb) -> None:
    """Write the events that match the filters, as GeoJSON or CSV.

    Times are interpreted in the dataset's timezone when you give a bare date. An event is
    kept when its time span overlaps the --start/--end interval.

    \b
    Examples:
      almaty-map query --start 2022-01-06 --end 2022-01-07 --category lethal-force
      almaty-map query --bbox 76.93,43.23,76.96,43.25 --format csv --out square.csv
    """
    from almaty_map.geodata.filtering import select
    from almaty_map.geodata.formats import events_csv, events_geojson

    dataset = load_or_exit(data, max_mb)
    positions = select(dataset, event_filter(dataset, start, end, categories, bbox, text))
    if fmt == "geojson":
        payload = events_geojson(dataset, positions)
    else:
        payload = events_csv(dataset, positions).encode()
    if out is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(payload)
        click.echo(f"{len(positions)} events written to {out}", err=True)
