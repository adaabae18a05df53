"""The work of `almaty-map init`: copy the file in, propose dataset.toml, check the folder,
and tell the person what the proposal is and what is left to them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from almaty_map.cli.options import report
from almaty_map.cli.outfile import write_output
from almaty_map.cli.progress import progress_shown
from almaty_map.geodata.columns import ColumnMap
from almaty_map.geodata.dataset import inspect_dataset
from almaty_map.geodata.metadata import FILE as META_FILE
from almaty_map.geodata.readers.files import read_headings
from almaty_map.geodata.readers.filetypes import ACCEPTED, file_type
from almaty_map.geodata.regularfile import UnreadableFileError, read_regular
from almaty_map.geodata.scaffold import Proposal, propose, propose_columns, toml_text


def scaffold(path: Path, source: Path, timezone: str | None, limit: int, quiet: bool) -> None:
    """Make the folder, or exit 2 having written nothing; exit 1 if it does not validate."""
    kind = file_type(source.name)
    if kind is None:
        _fail(f"{source} is not in a format almaty-map reads; expected {ACCEPTED}")
    _refuse_existing(path)
    suffix = next(s for s in kind.suffixes if source.name.lower().endswith(s))
    events = path / f"events{suffix}"
    copies = [(source, events), *_side_files(source, events, kind.beside_stem)]
    data = [_read(side, limit) for side, _ in copies]
    try:
        path.mkdir(parents=True, exist_ok=True)
        for content, (_, target) in zip(data, copies, strict=True):
            write_output(content, target)
    except OSError as exc:
        _fail(f"cannot write into {path}: {exc}")
    with progress_shown(quiet):
        headings = read_headings(events, limit)
        columns = propose_columns(headings) if headings else ColumnMap()
        proposal = propose(events, columns, timezone, limit)
        write_output(toml_text(proposal).encode(), path / META_FILE)
        dataset, problems = inspect_dataset(path, limit)
    _tell(path, source, events, proposal)
    report(problems, None)
    _still_to_decide(proposal, dataset is not None)
    if dataset is None:
        raise SystemExit(1)


def _side_files(source: Path, events: Path, suffixes: tuple[str, ...]) -> list[tuple[Path, Path]]:
    """A Shapefile's other parts (.shx, .dbf, .prj, .cpg), copied beside events.shp with
    the same stem, whatever case their suffix has; the layer is unreadable without them."""
    found = []
    for suffix in suffixes:
        for side in (source.with_suffix(suffix), source.with_suffix(suffix.upper())):
            if side.exists():
                found.append((side, events.with_suffix(suffix)))
                break
    return found


def _read(source: Path, limit: int) -> bytes:
    try:
        return read_regular(source, limit)
    except UnreadableFileError as exc:
        _fail(str(exc.problem(str(source))))


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(2)


def _refuse_existing(path: Path) -> None:
    """init writes only into a new or empty folder: it never replaces anyone's files."""
    if path.exists() and not path.is_dir():
        _fail(f"{path} exists and is not a folder; give the name of a new folder")
    if path.is_dir() and any(path.iterdir()):
        _fail(
            f"{path} is not empty, and init never writes over a folder's files; give a new "
            "folder (or edit this one's dataset.toml by hand)"
        )


def _tell(path: Path, source: Path, events: Path, proposal: Proposal) -> None:
    out = sys.stderr
    click.echo(f"Copied {source} to {events}", file=out)
    columns = proposal.columns
    if columns.preset:
        click.echo(
            f"Recognised an {columns.preset.upper()} export: format = {columns.preset!r}", file=out
        )
    for target, heading in columns.headings.items():
        click.echo(f"  column {heading!r} -> {target}", file=out)
    for ident, label in proposal.categories:
        click.echo(f"  category {ident!r} ({label})", file=out)
    months = ", ".join(label for label, _, _ in proposal.periods) or "none"
    click.echo(f"  periods: {months}; timezone {proposal.timezone}", file=out)
    click.echo(f"Wrote {path / META_FILE}; checking the folder:", file=out)


def _still_to_decide(proposal: Proposal, valid: bool) -> None:
    out = sys.stderr
    verdict = "The folder is valid." if valid else "Fix the errors above, then run validate."
    click.echo(f"{verdict} Still for you to decide (in dataset.toml):", file=out)
    for item in proposal.decide:
        click.echo(f"  - {item}", file=out)
