"""`almaty-map snapshot`: a composed PNG picture of the map, drawn in headless Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from almaty_map.cli.options import (
    data_option,
    db_option,
    event_filter,
    filter_options,
    interface_language,
    load_or_exit,
    map_options,
    max_size_option,
    out_option,
    progress_options,
)
from almaty_map.cli.outfile import check_or_exit, write_or_exit
from almaty_map.maprender.shot import SIZES, Shot

SIZE_HELP = ", ".join(f"{name} {s.pixels[0]}x{s.pixels[1]} px" for name, s in SIZES.items())
WHY_NO_TILES = {
    "error": "could not fetch a map tile from {host} (no network?)",
    "silent": "{host} sent no map tile within {first:g} s",
    "slow": "the map tiles from {host} took more than {all:g} s",
}


@click.command("snapshot")
@out_option("The PNG file.")
@data_option
@db_option
@filter_options
@map_options
@click.option(
    "--size",
    type=click.Choice(list(SIZES)),
    default="social",
    show_default=True,
    help=f"Picture size: {SIZE_HELP} (A5 at 300 dpi).",
)
@click.option(
    "--width",
    type=click.IntRange(320, 8000),
    help="Picture width in CSS pixels (instead of the --size's).",
)
@click.option(
    "--height",
    type=click.IntRange(320, 8000),
    help="Picture height in CSS pixels (instead of the --size's).",
)
@click.option(
    "--scale",
    type=click.FloatRange(0.5, 4),
    help="Pixels per CSS pixel (instead of the --size's): 2 for sharp print.",
)
@click.option(
    "--at",
    "at",
    type=int,
    metavar="N",
    help="Show time slice N (1 = the first); default: the last.",
)
@click.option("--story", is_flag=True, help="Show the slice as a story step, with its caption.")
@click.option(
    "--event",
    "event_id",
    metavar="ID",
    help="Ring this event and print its card (details and every source with its quotation).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Do not fetch background tiles (the events on a plain background).",
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
    size,
    width,
    height,
    scale,
    at,
    story,
    event_id,
    offline,
    max_mb,
    quiet,
) -> None:
    """Write a PNG picture of the map, for print and social posts.

    A composed picture, not a screenshot: title, the dates shown, the map (without any
    controls), a legend of what is on it, a scale bar and the credits; with --event the
    event's card beside or under the map, with --story the period's caption. Drawn in
    headless Chromium (the system's chromium package). It takes the same filters and map
    options as export. Without network (or with --offline) the map is drawn on its plain
    background, and a line on standard error says so.

    \b
    Examples:
      almaty-map snapshot --out map.png
      almaty-map snapshot --out jan6.png --story --at 3 --size square
      almaty-map snapshot --out shooting.png --event 2022-01-06-republic-square-shooting
      almaty-map snapshot --out a5.png --size print-a5 --at 5
    """
    from almaty_map.geodata.timeslices import SlicingError
    from almaty_map.maprender.build import MapSpec
    from almaty_map.maprender.options import MapOptions
    from almaty_map.maprender.snapshot_view import View, ViewError, plan_view

    check_or_exit(out)
    dataset = load_or_exit(data, max_mb, quiet, db)
    flt = event_filter(dataset, start, end, categories, bbox, text, cql, cql_lang)
    lang = interface_language(dataset, lang)
    spec = MapSpec(
        filter=flt,
        slice_by=slice_by,
        language=lang,
        title=title,
        options=MapOptions(mode=mode),
        carto_key=carto_key,
    )
    try:
        plan = plan_view(dataset, spec, View(at=at, story=story, event=event_id))
    except SlicingError as exc:
        raise click.BadParameter(str(exc), param_hint="--slice") from None
    except ViewError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from None
    preset = SIZES[size]
    shot = Shot(width or preset.width, height or preset.height, scale or preset.scale)
    picture = _draw(dataset, plan, shot, offline, carto_key)
    written = write_or_exit(picture.png, out)
    pixels = f"{shot.pixels[0]}x{shot.pixels[1]} px"
    click.echo(f"Wrote {out} ({pixels}, {written / 1024:,.0f} KiB)", err=True)


def _draw(dataset, plan, shot: Shot, offline: bool, carto_key: str | None):
    """The picture, saying on standard error when it is drawn without tiles (and why)."""
    from almaty_map.maprender.chromium import ChromiumNotFoundError
    from almaty_map.maprender.snapshot import SnapshotError, snapshot
    from almaty_map.maprender.snapshot_page import light_tiles, snapshot_page

    tiles = None if offline else light_tiles(carto_key)
    if offline:
        click.echo("Drawing without background tiles (--offline).", err=True)
    try:
        picture = snapshot(snapshot_page(dataset, plan, tiles), shot, offline)
    except (ChromiumNotFoundError, SnapshotError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    if tiles is not None and picture.tiles.get("state") == "failed":
        host = urlsplit(tiles.url.replace("{s}", tiles.subdomains[:1])).hostname
        why = WHY_NO_TILES[picture.tiles["why"]].format(
            host=host, first=tiles.first_s, all=tiles.all_s
        )
        click.echo(f"Drawing without background tiles: {why}.", err=True)
    return picture
