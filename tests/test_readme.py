"""The README is true: its command table lists exactly the options of each command's
--help, its make targets exist, and its command examples run."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from almaty_map.cli import COMMANDS, main

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
_START = README.index("## Command line")
SECTION = README[_START : README.index("\n## ", _START + 1)]
ROWS = {m.group(1): m.group(0) for m in re.finditer(r"^\| `almaty-map (\w+).*\|$", SECTION, re.M)}


def options(name: str) -> set[str]:
    """A command's options; a group's are those of its subcommands (one row lists them)."""
    command = main.get_command(click.Context(main), name)
    commands = [command]
    if isinstance(command, click.Group):
        context = click.Context(command)
        commands = [command.get_command(context, sub) for sub in command.list_commands(context)]
    return {
        o for c in commands for p in c.params if isinstance(p, click.Option) for o in p.opts
    } - {"-q"}


def test_the_table_has_a_row_per_command():
    assert set(ROWS) == set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_row_names_exactly_the_options_of_help(name):
    row = ROWS[name]
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", row))
    if "filters of `query`" in row or "filters and options of `export`" in row:
        named |= options("query") - {"--format", "--out"}
    if "filters and options of `export`" in row:
        named |= options("export") - {"--out"}
    assert named == options(name)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_has_help_and_the_short_help_matches(name):
    command = main.get_command(click.Context(main), name)
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, (name, param.name)
    assert command.get_short_help_str(limit=200) == COMMANDS[name][1]


def test_the_make_targets_exist():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))
    used = set(re.findall(r"\bmake ([a-z][\w-]*)", README))
    assert used <= targets, used - targets


EXAMPLES = [
    shlex.split(line.removeprefix(".venv/bin/almaty-map "))
    for line in re.findall(r"^\.venv/bin/almaty-map .*$", SECTION, re.M)
    if " snapshot " not in line
]


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("args", EXAMPLES, ids=lambda a: " ".join(a))
def test_the_examples_run(args, monkeypatch, tmp_path):
    """Run from a scratch folder (files they write land there); paths in the checkout are
    made absolute."""
    monkeypatch.chdir(tmp_path)
    args = [a if not a.startswith("geodata/") else str(ROOT / a) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = args[args.index("--out") + 1] if "--out" in args else None
    assert (Path(out).stat().st_size > 0) if out else result.output


_BYOD = README.index("## Bring your own data")
WORKED = re.findall(r"```sh\n(.*?)```", README[_BYOD : README.index("\n## ", _BYOD + 1)], re.S)
SAMPLES = ("acled", "team", "mymaps", "gis")


def test_each_kind_of_file_has_a_worked_example():
    named = " ".join(WORKED)
    for file in ("acled", ".xlsx", ".ods", ".kml", "--format csv", ".gpkg", ".fgb", ".shp"):
        assert file in named, file


@pytest.mark.parametrize("block", WORKED, ids=lambda b: b.split("--from ")[-1].split()[0])
def test_the_worked_examples_run(block, monkeypatch, tmp_path):
    """Each example, line by line, from a folder holding the sample files under the names
    it uses; `serve` is checked by asking the app it would serve for its map and events."""
    from almaty_map.app import create_app

    monkeypatch.chdir(tmp_path)
    for sample in SAMPLES:
        for path in (ROOT / "tests" / "data" / "tables" / sample).iterdir():
            if path.suffix not in (".py", ".toml"):
                shutil.copyfile(path, tmp_path / path.name)
    for line in block.strip().splitlines():
        args = shlex.split(line, comments=True)
        if args[0] == "cp":
            shutil.copyfile(ROOT / args[1], tmp_path / args[2] / Path(args[1]).name)
            continue
        assert args[0] == ".venv/bin/almaty-map", line
        if args[1] == "serve":
            folder = tmp_path / args[args.index("--data") + 1]
            client = create_app({"TESTING": True, "DATA_PATH": str(folder)}).test_client()
            assert client.get("/").status_code == 200
            items = client.get("/ogc/collections/events/items?f=json").get_json(force=True)
            assert items["numberMatched"] > 0
            continue
        result = CliRunner().invoke(main, args[1:])
        status = 1 if "# exit status 1" in line else 0
        assert result.exit_code == status, f"{line}\n{result.output}"
        if "--out" in args:
            assert (tmp_path / args[args.index("--out") + 1]).stat().st_size > 0
