"""Parsing a well-formed delimited file with Arrow's CSV reader, which splits the file into
blocks and parses them on every core: several times faster than pandas' parser on a large
export, and that parse is most of what reading a table costs.

It reads every cell as text, exactly as pandas is asked to (no type guessing, no cell made
null, blank lines kept as rows of empty cells so the rows named stay those on screen), and
refuses everything else: a row with more or fewer cells than the header, text that is not
UTF-8, a header it cannot count. Then None is returned and pandas parses the file, since its
errors are the ones the report explains (the row at fault, the byte that is not UTF-8).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

# The dtype pandas gives a column read with ``dtype=str``, so both parsers' frames are alike.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def arrow_grid(data: bytes, delimiter: str) -> pd.DataFrame | None:
    """Every row of the file, the header row first, as text cells; None if Arrow refuses
    the file or cannot tell how many columns its header has."""
    count = _heading_count(data, delimiter)
    if count is None:
        return None
    names = [str(i) for i in range(count)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas(types_mapper={pa.string(): _TEXT}.get)
    frame.columns = pd.RangeIndex(count)
    return frame


def _heading_count(data: bytes, delimiter: str) -> int | None:
    """How many cells the header row has (one line; a header with a line break in a
    heading is left to pandas)."""
    line = data.split(b"\n", 1)[0]
    try:
        return len(next(csv.reader(io.StringIO(line.decode("utf-8-sig")), delimiter=delimiter)))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
