"""`almaty-map query`: the events that match the filters, as GeoJSON or CSV."""

from __future__ import annotations

import click

from almaty_map.cli.options import (
    data_option,
    db_option,
    event_filter,
    filter_options,
    max_size_option,
    out_option,
    progress_options,
    source_or_exit,
)
from almaty_map.cli.outfile import check_or_exit, write_or_exit


@click.command("query")
@data_option
@db_option
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv"]),
    default="geojson",
    show_default=True,
    help="Output format.",
)
@out_option("The GeoJSON or CSV file (default: standard output).", required=False)
@max_size_option
@progress_options
def command(
    data, db, start, end, categories, bbox, text, cql, cql_lang, fmt, out, max_mb, quiet
) -> None:
    """Write the events that match the filters, as GeoJSON or CSV.

    Times are interpreted in the dataset's timezone when you give a bare date. An event is
    kept when its time span overlaps the --start/--end interval.

    \b
    Examples:
      almaty-map query --start 2022-01-06 --end 2022-01-07 --category lethal-force
      almaty-map query --bbox 76.93,43.23,76.96,43.25 --format csv --out square.csv
      almaty-map query --filter "S_DWITHIN(geometry, POINT(76.9458 43.238), 500, meters)"
    """
    from almaty_map.geodata.formats import events_csv, events_geojson

    if out is not None:
        check_or_exit(out)
    source = source_or_exit(data, max_mb, quiet, db)
    flt = event_filter(source.dataset, start, end, categories, bbox, text, cql, cql_lang)
    chosen = source.select(flt)
    dataset, positions = chosen.dataset, chosen.positions
    if fmt == "geojson":
        payload = events_geojson(dataset, positions)
    else:
        payload = events_csv(dataset, positions).encode()
    write_or_exit(payload, out)
    if out is not None:
        click.echo(f"{len(positions)} events written to {out}", err=True)
