"""The ``almaty-map`` command line: one subcommand per job, each in its own module.

Subcommands are imported only when one is run or asked for its --help, so ``almaty-map
--help``, ``--version`` and a mistyped command answer at once, without loading a dataset
or importing the map and data libraries.
"""

from __future__ import annotations

import difflib
import importlib
import tomllib
from importlib.metadata import PackageNotFoundError, version

import click

from almaty_map.geodata.bundled import BUNDLED

# name -> (module under almaty_map.cli, one-line help shown by `almaty-map --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Make a dataset folder from a file of events (CSV, spreadsheet, ACLED, KML)."),
    "validate": ("validate", "Check a dataset folder and list every problem."),
    "query": ("query", "Write the events that match the filters, as GeoJSON or CSV."),
    "export": ("export", "Write the map as one standalone HTML file."),
    "diff": (
        "diff",
        "List what NEW changes in OLD: events added, removed and changed, field by field.",
    ),
    "snapshot": ("snapshot", "Write a PNG picture of the map, for print and social posts."),
    "serve": ("serve", "Serve the map, the reader's page and the API (production server)."),
    "run": ("run", "Run the development server, restarted when the code changes."),
    "db": ("db", "Keep the dataset in a PostgreSQL/PostGIS database: init, load, dump, upgrade."),
    "users": (
        "users",
        "Manage the editors' desk accounts: add, list, disable, reset-password, set-role.",
    ),
}
BUNDLED_TOML = BUNDLED / "dataset.toml"


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"almaty_map.cli.{COMMANDS[name][0]}")
        return module.command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """A mistyped command is named with the closest real one."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            close = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint} Commands: {', '.join(COMMANDS)}.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from COMMANDS, without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])


def version_text() -> str:
    """almaty-map's version and the bundled dataset's, read without loading the data."""
    try:
        own = version("almaty-map")
    except PackageNotFoundError:
        own = "unknown (not installed)"
    with BUNDLED_TOML.open("rb") as handle:
        data = tomllib.load(handle)
    return f"almaty-map {own}\nbundled dataset: {data.get('title')}, version {data.get('version')}"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print almaty-map's version and the bundled dataset's, then exit.",
)
def main() -> None:
    """Map, query and publish event datasets (the bundled one: Almaty, January 2022).

    Every command takes --data PATH to work on your own dataset folder; run
    `almaty-map COMMAND --help` for its options and examples.
    """
