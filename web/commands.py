"""The ``almaty-map`` subcommands. Each has a --help a newcomer can follow.

Commands that only read data (validate, query, export) load the dataset themselves and never
build the web app; serve and run build it through the group's factory.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo
from flask.cli import run_command as flask_run

from geodata import (
    BUNDLED,
    SLICE_KINDS,
    DataError,
    Dataset,
    FilterError,
    SlicingError,
    events_csv,
    events_geojson,
    inspect_dataset,
    make_filter,
    select,
)
from geodata.reading import DEFAULT_MAX_BYTES
from maprender import ExportError, MapOptions, MapSpec, export_page, write_export
from maprender.i18n import LANGUAGES
from maprender.payload import MODES

DATA_HELP = "Dataset folder (dataset.toml + events file). Default: the bundled Almaty 2022 data."


def data_option(func):
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        default=BUNDLED,
        metavar="PATH",
        show_default="bundled Almaty 2022",
        help=DATA_HELP,
    )(func)


def max_size_option(func):
    return click.option(
        "--max-size",
        "max_mb",
        type=click.IntRange(1),
        default=DEFAULT_MAX_BYTES // 2**20,
        envvar="ALMATY_MAP_MAX_FILE_MB",
        show_default=True,
        help="Largest events/places file to accept, in MiB.",
    )(func)


def filter_options(func):
    """The options every command that selects events shares, so they read the same."""
    options = [
        click.option(
            "--start",
            help="Keep events that end after this date or date-time "
            "(2022-01-06, or 2022-01-06T18:00:00+06:00).",
        ),
        click.option(
            "--end",
            help="Keep events that start on or before this date or "
            "date-time (a date includes the whole day).",
        ),
        click.option(
            "--category",
            "categories",
            multiple=True,
            help="Category id to keep; repeat it or separate ids with commas.",
        ),
        click.option("--bbox", help="Area to keep: min_lon,min_lat,max_lon,max_lat (WGS84)."),
        click.option(
            "--text",
            "-q",
            "text",
            help="Keep events whose title, description, place or actors contain this text.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def report(problems, out=None) -> None:
    """Print problems one per line, errors first, then a one-line summary."""
    out = out or sys.stderr
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        click.echo(str(problem), file=out)
    click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=out)


def load_or_exit(folder: Path, max_mb: int) -> Dataset:
    dataset, problems = inspect_dataset(folder, max_mb * 2**20)
    if dataset is None:
        click.echo(f"The dataset in {folder} cannot be loaded:", err=True)
        report(problems)
        raise SystemExit(1)
    return dataset


def event_filter(dataset: Dataset, start, end, categories, bbox, text):
    try:
        return make_filter(dataset, start, end, list(categories), bbox, text)
    except FilterError as exc:
        hint = {"q": "--text"}.get(exc.param, f"--{exc.param}")
        raise click.BadParameter(exc.message, param_hint=hint) from None


@click.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=BUNDLED)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
@max_size_option
def validate_command(path: Path, fmt: str, max_mb: int) -> None:
    """Check a dataset folder and list every problem.

    Each line names the file, the feature (index and id), the field, what was expected and
    what was found. Exits with status 1 if there are errors (warnings alone exit 0).

    \b
    Example:
      almaty-map validate path/to/my-dataset
    """
    dataset, problems = inspect_dataset(path, max_mb * 2**20)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"valid": dataset is not None, "problems": [p.as_dict() for p in problems]},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        report(problems, sys.stdout)
        if dataset is not None:
            click.echo(f"{path}: valid, {len(dataset.events)} events, {len(dataset.places)} places")
    if dataset is None:
        raise SystemExit(1)


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
def query_command(data, start, end, categories, bbox, text, fmt, out, max_mb) -> None:
    """Write the events that match the filters, as GeoJSON or CSV.

    Times are interpreted in the dataset's timezone when you give a bare date. An event is
    kept when its time span overlaps the --start/--end interval.

    \b
    Examples:
      almaty-map query --start 2022-01-06 --end 2022-01-07 --category lethal-force
      almaty-map query --bbox 76.93,43.23,76.96,43.25 --format csv --out square.csv
    """
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


def map_options(func):
    """The options that shape a map, shared by export and snapshot."""
    options = [
        click.option(
            "--slice",
            "slice_by",
            type=click.Choice(SLICE_KINDS),
            default="period",
            show_default=True,
            help="Time slices: the dataset's named periods, or calendar days, weeks or months.",
        ),
        click.option("--title", help="Title shown on the map (default: the dataset's title)."),
        click.option(
            "--lang",
            type=click.Choice(LANGUAGES),
            default="en",
            show_default=True,
            help="Interface language.",
        ),
        click.option(
            "--mode",
            type=click.Choice(MODES),
            default="cumulative",
            show_default=True,
            help="How the time control starts: one slice, everything up to it, or a sliding "
            "window.",
        ),
        click.option(
            "--carto-key",
            envvar="ALMATY_MAP_CARTO_KEY",
            help="CARTO API key, to offer CARTO's light base map (needs a key since 2026).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def map_page(dataset: Dataset, flt, slice_by, title, lang, mode, carto_key) -> bytes:
    """The standalone page for these options; a --slice the data cannot use is a usage
    error."""
    spec = MapSpec(
        filter=flt,
        slice_by=slice_by,
        language=lang,
        title=title,
        options=MapOptions(mode=mode),
        carto_key=carto_key,
    )
    try:
        return export_page(dataset, spec)
    except SlicingError as exc:
        raise click.BadParameter(str(exc), param_hint="--slice") from None


def write_or_exit(data: bytes, out: Path) -> int:
    try:
        return write_export(data, out)
    except ExportError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None


@click.command("export")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The HTML file to write (written whole, or not at all).",
)
@data_option
@filter_options
@map_options
@max_size_option
def export_command(
    out, data, start, end, categories, bbox, text, slice_by, title, lang, mode, carto_key, max_mb
) -> None:
    """Write the map as one standalone HTML file, for a website or a CMS.

    The file needs no server and no CDN: Leaflet, the map code and the data are inside it,
    so it opens from disk with the network off (only the background tiles need the
    network). The same data and options always give the same bytes, so exports can be
    diffed and versioned. Add #story=1 to its address to open it in story mode.

    \b
    Examples:
      almaty-map export --out almaty.html
      almaty-map export --out week.html --start 2022-01-05 --end 2022-01-09 --slice day
    """
    dataset = load_or_exit(data, max_mb)
    flt = event_filter(dataset, start, end, categories, bbox, text)
    page = map_page(dataset, flt, slice_by, title, lang, mode, carto_key)
    written = write_or_exit(page, out)
    click.echo(f"Wrote {out} ({written / 1024:,.0f} KiB)", err=True)


@click.command("snapshot")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The PNG file to write (written whole, or not at all).",
)
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
def snapshot_command(
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
    from maprender.chromium import ChromiumNotFoundError
    from maprender.snapshot import Shot, SnapshotError, snapshot

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


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0 for every interface).",
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 512),
    help="Worker threads answering requests.",
)
@data_option
@click.option(
    "--watch",
    is_flag=True,
    help="Reload the dataset when its files change; a bad edit keeps the last good data served.",
)
@max_size_option
@click.pass_context
def serve_command(ctx, host, port, threads, data, watch, max_mb) -> None:
    """Serve the map, the reader's page and the API with waitress (production server).

    \b
    Example:
      almaty-map serve --port 8080 --data path/to/my-dataset
    """
    import waitress

    factory = ctx.find_object(ScriptInfo).create_app
    try:
        app = factory({"DATA_PATH": str(data), "MAX_FILE_MB": max_mb, "WATCH": watch})
    except DataError as exc:
        click.echo(f"The dataset in {data} cannot be served:", err=True)
        report(exc.problems)
        raise SystemExit(1) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    watching = " (reloading when its files change)" if watch else ""
    click.echo(f"Serving {app.config['DATA_PATH']}{watching} on http://{host}:{port}/", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="almaty-map")


def _dev_run(data: Path, max_mb: int, **kwargs):
    """Flask's development server, on a dataset checked first (a report, not a traceback)."""
    load_or_exit(data, max_mb)
    os.environ["ALMATY_MAP_DATA_PATH"] = str(data)
    os.environ["ALMATY_MAP_MAX_FILE_MB"] = str(max_mb)
    return flask_run.callback(**kwargs)


def _run_command() -> click.Command:
    command = click.Command(
        "run",
        callback=_dev_run,
        params=[*flask_run.params],
        help="Run Flask's development server (reloads on code changes). "
        "For anything but development use `almaty-map serve`.",
        short_help="Run the development server.",
    )
    data_option(command)
    max_size_option(command)
    return command


def register(group: FlaskGroup) -> None:
    commands = (validate_command, query_command, export_command, snapshot_command, serve_command)
    for command in (*commands, _run_command()):
        group.add_command(command)
