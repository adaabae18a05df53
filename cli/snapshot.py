"""`almaty-map snapshot`: a PNG picture of the map, drawn in headless Chromium."""

from __future__ import annotations

import click

from almaty_map.cli.export import map_page
from almaty_map.cli.options import (
    data_option,
    event_filter,
    filter_options,
    load_or_exit,
    map_options,
    max_size_option,
    out_option,
)
from almaty_map.cli.outfile import check_or_exit, write_or_exit


@click.command("snapshot")
@out_option("The PNG file.")
@data_option
@filter_options
@map_options
@click.option(
    "--width",
    default=1200,
    show_default=True,
    type=click.IntRange(320, 8000),
    help="Picture width in CSS pixels.",
)
@click.option(
    "--height",
    default=630,
    show_default=True,
    type=click.IntRange(320, 8000),
    help="Picture height in CSS pixels (1200x630 suits social posts).",
)
@click.option(
    "--scale",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.5, 4),
    help="Pixels per CSS pixel: 2 for sharp print and high-density screens.",
)
@click.option(
    "--at",
    "at",
    type=click.IntRange(1),
    metavar="N",
    help="Show time slice N (1 = the first); default: the last.",
)
@click.option("--story", is_flag=True, help="Show the slice as a story step, with its caption.")
@click.option("--event", "event_id", metavar="ID", help="Open this event's popup.")
@click.option(
    "--offline",
    is_flag=True,
    help="Do not fetch background tiles (the events on a plain background).",
)
@max_size_option
def command(
    out,
    data,
    start,
    end,
    categories,
    bbox,
    text,
    slice_by,
    title,
    lang,
    mode,
    carto_key,
    width,
    height,
    scale,
    at,
    story,
    event_id,
    offline,
    max_mb,
) -> None:
    """Write a PNG picture of the map, for print and social posts.

    The picture is taken of the standalone export in headless Chromium (the system's
    chromium package), so it shows what readers of the published map see. It takes the
    same filters and map options as export.

    \b
    Examples:
      almaty-map snapshot --out map.png
      almaty-map snapshot --out jan6.png --story --at 3 --width 1080 --height 1080
      almaty-map snapshot --out square.png --event 2022-01-06-republic-square-shooting
    """
    from almaty_map.maprender.chromium import ChromiumNotFoundError
    from almaty_map.maprender.snapshot import Shot, SnapshotError, snapshot

    check_or_exit(out)
    dataset = load_or_exit(data, max_mb)
    flt = event_filter(dataset, start, end, categories, bbox, text)
    page = map_page(dataset, flt, slice_by, title, lang, mode, carto_key)
    shot = Shot(
        width=width,
        height=height,
        scale=scale,
        story=story,
        event=event_id,
        slice=None if at is None else at - 1,
        offline=offline,
    )
    try:
        picture = snapshot(page, shot)
    except (ChromiumNotFoundError, SnapshotError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    written = write_or_exit(picture, out)
    click.echo(
        f"Wrote {out} ({shot.width * shot.scale:.0f}x{shot.height * shot.scale:.0f} px, "
        f"{written / 1024:,.0f} KiB)",
        err=True,
    )
