"""Options and helpers the subcommands share, so they read and behave the same.

Only light modules are imported here (click and constants): the heavy ones are imported by
each command when it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.model import MAX_EXPORT_EVENTS, SLICE_KINDS
from almaty_map.maprender.options import MODES

if TYPE_CHECKING:
    from almaty_map.geodata.dataset import Dataset
    from almaty_map.geodata.errors import Problem, QueryProblem
    from almaty_map.geodata.filtering import EventFilter
    from almaty_map.geodata.source import Source

DEFAULT_MAX_MB = 512
# The query reader's parameter names, as the filter options spell them.
OPTION_NAMES = {
    "start": "--start",
    "end": "--end",
    "category": "--category",
    "bbox": "--bbox",
    "q": "--text",
    "filter": "--filter",
    "filter-lang": "--filter-lang",
    "filter-crs": "--filter",
}
DATA_HELP = "Dataset folder (dataset.toml + events file). Default: the bundled Almaty 2022 data."
DB_HELP = (
    "Read the dataset from this PostgreSQL/PostGIS database instead of files "
    "(postgresql://USER:PASSWORD@HOST:PORT/NAME; see `almaty-map db`)."
)
DB_ENV = "ALMATY_MAP_DATABASE_URL"


def utf8_text(ctx: click.Context, param: click.Parameter, value):
    """Refuse an argument that is not UTF-8 text (Python reads such bytes as lone
    surrogates, which no search can match and no page can hold)."""
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                shown = text.encode("utf-8", "backslashreplace").decode()
                raise click.BadParameter(f"is not UTF-8 text, got '{shown}'") from None
    return value


def _stack(options: list[Callable]) -> Callable:
    def decorate(func: Callable) -> Callable:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def data_option(func: Callable) -> Callable:
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        default=BUNDLED,
        metavar="PATH",
        show_default="bundled Almaty 2022",
        help=DATA_HELP,
    )(func)


DB_READ_HELP = (
    "Read from this streaming replica of --db (hot standby); new versions are still heard "
    "from --db, and each is read once the replica has it."
)
DB_READ_ENV = "ALMATY_MAP_DATABASE_READ_URL"
_DB_READ = "almaty_map.db_read"


def db_option(func: Callable) -> Callable:
    """``--db`` and ``--db-read``; the replica's URL is kept in the click context (see
    ``chosen_replica``), so commands that only pass ``db`` on need no parameter for it."""
    func = click.option(
        "--db-read",
        metavar="URL",
        envvar=DB_READ_ENV,
        expose_value=False,
        callback=_keep_replica,
        help=DB_READ_HELP,
    )(func)
    return click.option("--db", "db", metavar="URL", envvar=DB_ENV, help=DB_HELP)(func)


def _keep_replica(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta[_DB_READ] = value or None


def chosen_replica(db: str | None) -> str | None:
    """The replica to read, when the database ``db`` is read at all (``chosen_database``);
    a replica without its primary is a usage error (only the primary announces versions)."""
    replica = click.get_current_context().meta.get(_DB_READ)
    if replica and not db:
        raise click.UsageError(
            "--db-read needs --db (or ALMATY_MAP_DATABASE_URL) too: the primary whose "
            "notifications announce each new version"
        )
    return replica if chosen_database(db) else None


def chosen_database(db: str | None) -> str | None:
    """The database to read, or None for files: --data given on the command line wins over
    the environment's database, so one command can still look at a folder."""
    if not db:
        return None
    ctx = click.get_current_context()
    from_env = ctx.get_parameter_source("db") == click.core.ParameterSource.ENVIRONMENT
    if from_env and ctx.get_parameter_source("data") == click.core.ParameterSource.COMMANDLINE:
        return None
    return db


def inspect_source(
    folder: Path, max_mb: int, db: str | None = None, status: int = 1, whole: bool = True
) -> tuple[Dataset | None, list[Problem], str]:
    """The dataset from the folder or the database (``chosen_database``), every problem,
    and how to name where it came from; a database that cannot be used is one line and exit
    ``status``."""
    db = chosen_database(db)
    if db is None:
        from almaty_map.geodata.dataset import inspect_dataset

        return (*inspect_dataset(folder, max_mb * 2**20), str(folder))
    from almaty_map.database.backend import PostgisBackend
    from almaty_map.database.connect import DatabaseUnavailableError

    try:
        backend = PostgisBackend(db, max_mb * 2**20, whole=whole, read_url=chosen_replica(db))
        return (*backend.inspect(), f"the database at {backend.shown_url}")
    except DatabaseUnavailableError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(status) from None


def report_format_option(func: Callable) -> Callable:
    """``--format text|json``: the same choice wherever a command reports to people or scripts."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people, json for scripts.",
    )(func)


def max_size_option(func: Callable) -> Callable:
    return click.option(
        "--max-size",
        "max_mb",
        type=click.IntRange(1),
        default=DEFAULT_MAX_MB,
        envvar="ALMATY_MAP_MAX_FILE_MB",
        show_default=True,
        help="Largest events/places file to accept, in MiB.",
    )(func)


def progress_options(func: Callable) -> Callable:
    """``--quiet``: the progress bars shown on a terminal while a large file is read."""
    return click.option(
        "--quiet",
        "quiet",
        is_flag=True,
        help="Show no progress bar (none is shown when standard error is not a terminal).",
    )(func)


OUT_HELP = (
    "Write to this file: replaced whole or not at all (a FIFO or a device such as /dev/null "
    "is written through; a link is followed and kept)."
)


def out_option(what: str, required: bool = True) -> Callable:
    """``--out`` for every command that writes a file, so they all say (and do) the same;
    the writing itself is ``cli.outfile``'s."""
    return click.option(
        "--out",
        required=required,
        type=click.Path(path_type=Path),
        metavar="FILE",
        help=f"{what} {OUT_HELP}",
    )


filter_options = _stack(
    [
        click.option(
            "--start",
            callback=utf8_text,
            help="Keep events that end after this date or date-time "
            "(2022-01-06, or 2022-01-06T18:00:00+06:00).",
        ),
        click.option(
            "--end",
            callback=utf8_text,
            help="Keep events that start on or before this date or "
            "date-time (a date includes the whole day).",
        ),
        click.option(
            "--category",
            "categories",
            callback=utf8_text,
            multiple=True,
            help="Category id to keep; repeat it or separate ids with commas.",
        ),
        click.option(
            "--bbox",
            callback=utf8_text,
            help="Area to keep: min_lon,min_lat,max_lon,max_lat (WGS84).",
        ),
        click.option(
            "--text",
            "-q",
            "text",
            callback=utf8_text,
            help="Keep events whose title, description, place or actors contain this text.",
        ),
        click.option(
            "--filter",
            "cql",
            callback=utf8_text,
            help="Keep events that pass this CQL2 filter, as the API's filter parameter "
            "(e.g. \"deaths_min >= 1 AND NOT geo_precision = 'city'\").",
        ),
        click.option(
            "--filter-lang",
            "cql_lang",
            type=click.Choice(["cql2-text", "cql2-json"]),
            default="cql2-text",
            show_default=True,
            help="The encoding of --filter.",
        ),
    ]
)

map_options = _stack(
    [
        click.option(
            "--slice",
            "slice_by",
            type=click.Choice(SLICE_KINDS),
            default="period",
            show_default=True,
            help="Time slices: the dataset's named periods, or calendar days, weeks or months.",
        ),
        click.option(
            "--title",
            callback=utf8_text,
            help="Title shown on the map (default: the dataset's title).",
        ),
        click.option(
            "--lang",
            callback=utf8_text,
            metavar="TAG",
            help="Interface language: one the dataset offers (dataset.toml's languages, "
            "with a catalogue). Default: the first of them.",
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
            callback=utf8_text,
            envvar="ALMATY_MAP_CARTO_KEY",
            help="CARTO API key, to offer CARTO's light base map (needs a key since 2026).",
        ),
    ]
)


def report(problems: list[Problem], out=None) -> None:
    """Print problems one per line, errors first, then a one-line summary."""
    out = out or sys.stderr
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + warnings:
        click.echo(str(problem), file=out)
    click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)", file=out)


def load_or_exit(
    folder: Path, max_mb: int, quiet: bool = True, db: str | None = None, whole: bool = True
) -> Dataset:
    """The validated dataset (from the folder, or the database if one is given; there,
    only its head unless ``whole``), or the full report and exit status 1 (with a progress
    bar on a terminal unless ``quiet``)."""
    from almaty_map.cli.progress import progress_shown

    with progress_shown(quiet):
        dataset, problems, name = inspect_source(folder, max_mb, db, whole=whole)
    if dataset is None:
        click.echo(f"The dataset in {name} cannot be loaded:", err=True)
        report(problems)
        raise SystemExit(1)
    return dataset


def source_or_exit(folder: Path, max_mb: int, quiet: bool, db: str | None) -> Source:
    """Where a command selects its events: the files read whole, or the database, which
    selects them in SQL (so a command reads only the events it writes)."""
    from almaty_map.geodata.source import MemorySource

    db = chosen_database(db)
    head = load_or_exit(folder, max_mb, quiet, db, whole=False)
    if db is None:
        return MemorySource(head)
    from almaty_map.database.connect import open_engine
    from almaty_map.database.source import PostgisSource

    return PostgisSource(open_engine(db), head)


def refuse_too_many(source: Source, flt: EventFilter) -> None:
    """A usage error for a selection above ALMATY_MAP_MAX_EXPORT_EVENTS, naming its size."""
    limit = int(os.environ.get("ALMATY_MAP_MAX_EXPORT_EVENTS") or MAX_EXPORT_EVENTS)
    if source.count_up_to(flt, limit + 1) <= limit:
        return
    raise click.UsageError(
        f"the filters select {source.total(flt):,} events, more than the {limit:,} a map "
        "or a download can hold (ALMATY_MAP_MAX_EXPORT_EVENTS); narrow them with --start/"
        "--end, --category, --bbox, --text or --filter, or page through them with the API"
    )


def interface_language(dataset: Dataset, lang: str | None) -> str:
    """``--lang``, or the dataset's default; one it does not offer is a usage error naming
    those it does."""
    from almaty_map.language.offer import offered_languages

    offered = offered_languages(dataset.meta)
    if lang is None:
        return offered[0]
    if lang not in offered:
        raise click.BadParameter(
            f"this dataset's interface is in {', '.join(offered)}; got {lang!r}",
            param_hint="--lang",
        )
    return lang


def event_filter(
    dataset: Dataset, start, end, categories, bbox, text, cql=None, cql_lang=None
) -> EventFilter:
    """The filter the options ask for; bad values are one usage error naming every option."""
    from almaty_map.geodata.query import QueryText, read_query

    given = QueryText(
        start=start,
        end=end,
        categories=tuple(categories),
        bbox=bbox,
        q=text,
        filter=cql,
        filter_lang=cql_lang,
    )
    query = read_query(dataset.meta, given)
    if query.problems:
        raise click.UsageError(usage_message(query.problems))
    return query.filter


def usage_message(problems: Sequence[QueryProblem]) -> str:
    """Each problem under the option it belongs to (the reader names parameters: q is
    --text here)."""
    if len(problems) == 1:
        return f"Invalid value for {OPTION_NAMES[problems[0].parameter]}: {problems[0].message}"
    lines = [f"  {OPTION_NAMES[p.parameter]}: {p.message}" for p in problems]
    return f"{len(problems)} invalid values:\n" + "\n".join(lines)
