"""Download names: built from text that can be hostile (the dataset's title, the reader's
title and dates), they must never name a path or break out of the header."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from almaty_map.app import create_app
from almaty_map.web.pages import safe_filename
from almaty_map.web.viewstate import ViewState
from tests.conftest import DATA

SAFE = re.compile(r'attachment; filename="([a-z0-9_-]{1,100})\.(html|csv|geojson)"')


@settings(max_examples=300, deadline=None)
@given(title=st.text(), start=st.text(max_size=40), end=st.text(max_size=40))
def test_any_title_and_dates_give_a_plain_file_name(title, start, end):
    name = safe_filename(title, ViewState(start=start, end=end), ".csv")
    assert re.fullmatch(r"[a-z0-9_-]{1,100}\.csv", name), name


def test_the_name_keeps_what_is_safe_of_the_title():
    """The sanitiser keeps the readable part, so the checks above are of a real name."""
    state = ViewState(start="2022-01-06", end="2022-01-07")
    name = safe_filename("Алматы: Républic Sq. ../../etc", state, ".html")
    assert name == "republic-sq-etc_2022-01-06_2022-01-07.html"


@pytest.fixture(scope="module")
def hostile_client():
    return create_app({"TESTING": True, "DATA_PATH": str(DATA / "hostile")}).test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/export?title=../../etc/passwd%22;x=%0d%0aSet-Cookie:a&start=2022-01-05",
        "/download.csv?start=2022-01-05&end=2022-01-09",
        "/download.geojson",
    ],
)
def test_hostile_titles_reach_no_header(hostile_client, url):
    """The hostile dataset's title is markup and quotes; the request adds CR LF and a path."""
    response = hostile_client.get(url)
    assert response.status_code == 200
    match = SAFE.fullmatch(response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    assert "img-src-x-onerror-alert" in match.group(1) or "etc-passwd" in match.group(1)
    assert "Set-Cookie" not in response.headers
