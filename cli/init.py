"""`almaty-map init`: a dataset folder made from a file of events (a CSV, a spreadsheet, an
ACLED export, a KML...), with a proposed dataset.toml, checked at the end."""

from __future__ import annotations

from pathlib import Path

import click

from almaty_map.cli.options import max_size_option, progress_options


def _timezone(ctx, param, value: str | None) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise click.BadParameter(
            f"is not a known timezone, got {value!r}; expected an IANA name like Asia/Almaty"
        ) from None
    return value


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The events file to start from: CSV, TSV, XLSX, ODS, KML, KMZ, GeoJSON, GeoPackage, "
    "FlatGeobuf or Shapefile (an ACLED export is recognised by its columns).",
)
@click.option(
    "--timezone",
    callback=_timezone,
    help="IANA timezone of the data's local times (default: the country's, when the file "
    "names one country with one timezone; else UTC, to be decided).",
)
@max_size_option
@progress_options
def command(path: Path, source: Path, timezone: str | None, max_mb: int, quiet: bool) -> None:
    """Make a dataset folder from a file of events (CSV, spreadsheet, ACLED, KML).

    The folder is PATH, new or empty: the file is copied in as events.<ext>, never over
    anything. The headings are matched to the event format's fields, the distinct categories
    and the months of the data are listed, and dataset.toml is written with them; then the
    folder is validated, and what you must still decide is printed.

    \b
    Examples:
      almaty-map init my-map --from acled-export.csv
      almaty-map init team-map --from "Team sheet.xlsx" --timezone Asia/Almaty
    """
    from almaty_map.cli.scaffolding import scaffold

    scaffold(path, source, timezone, max_mb * 2**20, quiet)
