"""`almaty-map export`: the map as one standalone HTML file."""

from __future__ import annotations

import click

from almaty_map.cli.options import (
    data_option,
    db_option,
    event_filter,
    filter_options,
    interface_language,
    map_options,
    max_size_option,
    out_option,
    progress_options,
    refuse_too_many,
    source_or_exit,
)
from almaty_map.cli.outfile import check_or_exit, write_or_exit


def map_page(dataset, flt, slice_by, title, lang, mode, carto_key, embed_origins=()) -> bytes:
    """The standalone page for these options; a --slice the data cannot use is a usage
    error."""
    from almaty_map.geodata.timeslices import SlicingError
    from almaty_map.maprender.build import MapSpec, export_page
    from almaty_map.maprender.options import MapOptions

    spec = MapSpec(
        filter=flt,
        slice_by=slice_by,
        language=lang,
        title=title,
        options=MapOptions(mode=mode),
        carto_key=carto_key,
        embed_origins=tuple(embed_origins),
    )
    try:
        return export_page(dataset, spec)
    except SlicingError as exc:
        raise click.BadParameter(str(exc), param_hint="--slice") from None


def _origins(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """Each --embed-origin as browsers name it; anything else is a usage error."""
    from almaty_map.maprender.origins import OriginError, parse_origins

    try:
        return parse_origins(values)
    except OriginError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("export")
@out_option("The HTML file.")
@data_option
@db_option
@filter_options
@map_options
@click.option(
    "--embed-origin",
    "embed_origins",
    multiple=True,
    callback=_origins,
    metavar="ORIGIN",
    help="A site whose pages may frame the map and drive it with postMessage "
    "(repeatable; by default none may).",
)
@max_size_option
@progress_options
def command(
    out,
    data,
    db,
    start,
    end,
    categories,
    bbox,
    text,
    cql,
    cql_lang,
    slice_by,
    title,
    lang,
    mode,
    carto_key,
    embed_origins,
    max_mb,
    quiet,
) -> None:
    """Write the map as one standalone HTML file.

    For a website or a CMS: the file needs no server and no CDN. Leaflet, the map code and
    the data are inside it, so it opens from disk with the network off (only the background
    tiles need the network). The same data and options always give the same bytes, so
    exports can be diffed and versioned. Add #story=1 to its address to open it in story
    mode.

    \b
    Examples:
      almaty-map export --out almaty.html
      almaty-map export --out week.html --start 2022-01-05 --end 2022-01-09 --slice day
      almaty-map export --out embed.html --embed-origin https://news.example.org
    """
    check_or_exit(out)
    source = source_or_exit(data, max_mb, quiet, db)
    dataset = source.dataset
    flt = event_filter(dataset, start, end, categories, bbox, text, cql, cql_lang)
    lang = interface_language(dataset, lang)
    refuse_too_many(source, flt)
    page = map_page(source, flt, slice_by, title, lang, mode, carto_key, embed_origins)
    written = write_or_exit(page, out)
    click.echo(f"Wrote {out} ({written / 1024:,.0f} KiB)", err=True)
