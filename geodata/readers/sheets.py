"""Reading tables (CSV, TSV, XLSX, ODS) into a Sheet: the headings, the cells, and the row
each line of data has in a spreadsheet.

Arrow parses well-formed delimited text (``arrowcsv``) and pandas the rest, calamine (a
Rust reader, through python-calamine) Excel workbooks and odfpy (through pandas)
OpenDocument ones, whose XML calamine does not always accept, rather than GDAL's CSV and
spreadsheet drivers: those guess which row is the header and what type each column is, and
the event format needs a text "007" to stay "007" and every problem to name the row a
spreadsheet shows (the header is row 1). A blank row is skipped but still counted, so the
rows named are the ones on screen.
"""

from __future__ import annotations

import re
import signal
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from almaty_map.geodata.errors import Problem, shorten
from almaty_map.geodata.progress import advance
from almaty_map.geodata.readers.arrowcsv import arrow_grid
from almaty_map.geodata.regularfile import size_text

_CSV_BLOCK_ROWS = 50_000
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_DELIMITERS = {"CSV": (",", ";"), "TSV": ("\t",)}


class SheetError(Exception):
    """A table that cannot be read at all; ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Sheet:
    """A table's data rows: cells as found (text for delimited files; text, numbers, dates
    or booleans for workbooks; None for an empty cell), and each row's spreadsheet number."""

    headings: list[str]
    frame: pd.DataFrame
    rows: np.ndarray | None  # None: not a spreadsheet (a KML's placemarks), so no rows
    sheet: str | None = None
    geometry: np.ndarray | None = None  # shapes already read (KML, through GDAL)


def read_sheet(handle: BinaryIO, kind: str, file: str, sheet: str | None, limit: int) -> Sheet:
    """The table in ``handle``; SheetError when it cannot be read as one."""
    if kind in _DELIMITERS:
        return _delimited(handle, file, kind)
    return _workbook(handle, file, kind, sheet, limit)


@contextmanager
def _noting_ctrl_c() -> Iterator[list[bool]]:
    """Ctrl-C noted as it comes: pandas' C parser may turn the KeyboardInterrupt raised in
    one of its reads into a ParserError ("Calling read(nbytes) on source failed"), which
    would report an interrupted reading as a broken file. Only where Python's own handler
    is in place (the main thread of a command); elsewhere nothing sends SIGINT."""
    noted: list[bool] = []
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield noted
        return

    def note(signum: int, frame: object) -> None:
        noted.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _delimited(handle: BinaryIO, file: str, kind: str) -> Sheet:
    """A CSV (comma, or the semicolon of European spreadsheets) or TSV: parsed by Arrow when
    it is well formed, else by pandas, whose errors say what is wrong."""
    first = handle.readline(65536).decode("utf-8-sig", "replace")
    handle.seek(0)
    options = _DELIMITERS[kind]
    delimiter = max(options, key=first.count) if first.count(options[0]) == 0 else options[0]
    grid = arrow_grid(handle.read(), delimiter)
    total = handle.tell()
    handle.seek(0)
    if grid is not None:
        advance(f"reading {file}", total, total)
        return _from_grid(file, grid, None)
    with _noting_ctrl_c() as interrupted:
        return _parsed(handle, file, kind, delimiter, interrupted)


def _parsed(handle: BinaryIO, file: str, kind: str, delimiter: str, interrupted: list) -> Sheet:
    """The table pandas parses, in blocks so that progress is the bytes read, or SheetError
    saying why it cannot (a Ctrl-C stays one)."""
    total = handle.seek(0, 2)
    handle.seek(0)
    try:
        blocks = pd.read_csv(
            handle,
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            chunksize=_CSV_BLOCK_ROWS,
        )
        parts = []
        for block in blocks:
            parts.append(block)
            advance(f"reading {file}", handle.tell(), total)
    except UnicodeDecodeError as exc:
        raise SheetError(
            Problem(
                file,
                f"is not UTF-8 text ({exc.reason} at byte {exc.start} of a block)",
                expected='UTF-8 (in Excel: Save As "CSV UTF-8"; in LibreOffice: '
                "Character set Unicode (UTF-8))",
            )
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        if interrupted:
            raise KeyboardInterrupt from None
        raise SheetError(_parser_problem(file, kind, exc)) from None
    if not parts:
        raise SheetError(Problem(file, "is empty", expected="a header row, then one row per event"))
    frame = pd.concat(parts, ignore_index=True)
    return _from_grid(file, frame, None)


def _parser_problem(file: str, kind: str, exc: Exception) -> Problem:
    """pandas' tokenizer error, said as a spreadsheet would: the row with too many cells."""
    ragged = _RAGGED.search(str(exc))
    if ragged is None:
        return Problem(file, f"is not a readable {kind}: {str(exc).strip()}")
    expected, line, found = (int(n) for n in ragged.groups())
    return Problem(
        file,
        "has a row with more cells than the header row has headings",
        row=line,
        found=f"{found} cells",
        expected=f"at most {expected}, one per heading (quote a cell that holds the delimiter)",
    )


def _workbook(handle: BinaryIO, file: str, kind: str, sheet: str | None, limit: int) -> Sheet:
    """The first sheet of a workbook (or the one [columns] names), read whole."""
    _unpacked_size(handle, file, limit)
    try:
        if kind == "ODS":
            book = pd.ExcelFile(handle, engine="odf")
            name = _sheet_name(file, book.sheet_names, sheet)
            frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
        else:
            calamine = CalamineWorkbook.from_filelike(handle)
            name = _sheet_name(file, calamine.sheet_names, sheet)
            frame = pd.DataFrame(
                calamine.get_sheet_by_name(name).to_python(skip_empty_area=False), dtype=object
            )
    except (CalamineError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise SheetError(Problem(file, f"cannot be read as a workbook: {exc}")) from None
    advance(f"reading {file}", 1, 1, "sheet")
    if frame.empty:
        raise SheetError(Problem(file, f"sheet {name!r} is empty", expected="a header row"))
    frame = frame.astype(object).where(frame.notna() & frame.ne(""), None)
    return _from_grid(file, frame, name)


def _sheet_name(file: str, names: list[str], wanted: str | None) -> str:
    """The sheet [columns] names, or the first."""
    name = wanted or (names[0] if names else None)
    if name not in names:
        raise SheetError(
            Problem(
                file,
                "has no sheet of that name",
                field="columns.sheet",
                found=shorten(name),
                expected="one of " + ", ".join(repr(n) for n in names),
            )
        )
    return name


def _unpacked_size(handle: BinaryIO, file: str, limit: int) -> None:
    """A workbook is a ZIP archive: a small file may unpack to gigabytes, so its declared
    unpacked size is held to the same limit as a file's (the reader stops at what is
    declared)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SheetError(Problem(file, f"is not a readable ZIP archive: {exc}")) from None
    handle.seek(0)
    if size > limit:
        raise SheetError(
            Problem(
                file,
                "unpacks to more than the size limit",
                found=size_text(size),
                expected=f"at most {size_text(limit)}",
            )
        )


def _from_grid(file: str, grid: pd.DataFrame, sheet: str | None) -> Sheet:
    """Headings from the first row; blank rows dropped, every other row keeps its number."""
    filled = grid.notna() & grid.ne("")
    used = filled.any(axis=0).to_numpy()  # a column with nothing in it at all is no column
    grid, filled = grid.loc[:, used], filled.loc[:, used].iloc[1:]
    headings = ["" if h is None else str(h).strip() for h in grid.iloc[0].tolist()]
    _check_headings(file, sheet, headings)
    body = grid.iloc[1:]
    body.columns = headings
    keep = filled.any(axis=1).to_numpy()
    rows = np.flatnonzero(keep) + 2
    return Sheet(headings, body[keep].reset_index(drop=True), rows, sheet)


def _check_headings(file: str, sheet: str | None, headings: list[str]) -> None:
    blank = [i + 1 for i, h in enumerate(headings) if not h]
    twice = sorted({h for h in headings if h and headings.count(h) > 1})
    if blank or twice:
        found = f"no heading in column {blank[0]}" if blank else f"{twice[0]!r} twice"
        raise SheetError(
            Problem(
                file,
                "has a header row that does not name every column once",
                sheet=sheet,
                row=1,
                found=found,
                expected="a unique, non-empty heading for every column",
            )
        )
