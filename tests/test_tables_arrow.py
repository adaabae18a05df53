"""A delimited file parsed by Arrow reads exactly as pandas reads it, and a file Arrow
refuses is left to pandas, whose errors name the row or byte at fault."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from almaty_map.geodata.readers.arrowcsv import arrow_grid
from almaty_map.geodata.readers.sheets import SheetError, _parsed, read_sheet
from tests.conftest import DATA

ALIKE = {
    "byte order mark": b"\xef\xbb\xbfid,title\n1,Protest\n",
    "line break in a quoted cell": b'id,title\n1,"two\nlines"\n',
    "doubled quote": b'id,title\n1,"say ""no"""\n',
    "quote inside a cell": b'id,title\n1,ab"c\n',
    "text after a closing quote": b'id,title\n1,"ab"cd\n',
    "CRLF and an empty cell": b"id,title\r\n1,\r\n",
    "blank row kept counted": b"id,title\n1,a\n\n2,b\n",
    "spaces kept": b"id,title\n  7 , x \n",
    "leading zeros and NA stay text": b"id,title\n007,NA\n008,null\n",
    "semicolons": b"id;title\n1;a,b\n",
    "quoted heading with the delimiter": b'id,"a,b"\n1,2\n',
}


def _pandas_sheet(data: bytes, delimiter: str):
    return _parsed(io.BytesIO(data), "events.csv", "CSV", delimiter, [])


@pytest.mark.parametrize("data", list(ALIKE.values()), ids=list(ALIKE))
def test_arrow_reads_a_file_as_pandas_does(data):
    delimiter = ";" if b";" in data.split(b"\n")[0] else ","
    assert arrow_grid(data, delimiter) is not None  # the fast path was taken
    ours = read_sheet(io.BytesIO(data), "CSV", "events.csv", None, 2**20)
    theirs = _pandas_sheet(data, delimiter)
    assert ours.headings == theirs.headings
    assert ours.rows.tolist() == theirs.rows.tolist()
    pd.testing.assert_frame_equal(ours.frame, theirs.frame)


@pytest.mark.parametrize("path", sorted((DATA / "tables").rglob("*.csv")), ids=str)
def test_every_csv_fixture_reads_alike(path):
    data = path.read_bytes()
    try:
        theirs = _pandas_sheet(data, ",")
    except SheetError:
        return  # a broken fixture: the refusal is tested below
    ours = read_sheet(io.BytesIO(data), "CSV", path.name, None, 2**24)
    pd.testing.assert_frame_equal(ours.frame, theirs.frame)


REFUSED = {
    "a row with a cell too many": (
        b"id,title\n1,a\n2,b,c\n",
        "has a row with more cells than the header row has headings",
    ),
    "not UTF-8": (b"id,title\n1,\xff\n", "is not UTF-8 text"),
}


@pytest.mark.parametrize(("data", "message"), list(REFUSED.values()), ids=list(REFUSED))
def test_a_file_arrow_refuses_gets_pandas_report(data, message):
    assert arrow_grid(data, ",") is None
    with pytest.raises(SheetError) as raised:
        read_sheet(io.BytesIO(data), "CSV", "events.csv", None, 2**20)
    assert message in raised.value.problem.message


def test_a_short_row_is_read_by_pandas_as_before():
    """Arrow refuses a row with too few cells; pandas fills it with empty ones."""
    data = b"id,title\n1\n2,b\n"
    assert arrow_grid(data, ",") is None
    sheet = read_sheet(io.BytesIO(data), "CSV", "events.csv", None, 2**20)
    assert sheet.frame["title"].tolist() == ["", "b"]
    assert sheet.rows.tolist() == [2, 3]
