"""A page of a text search is found without searching every event, and its count is never
wrong: exact when the whole search ran, left out (with a next link) when it stopped early.
"""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.geodata.filtering import TEXT_BLOCK, EventFilter, select, select_page


@pytest.fixture(scope="module")
def synthetic_client(synthetic_folder):
    return create_app({"DATA_PATH": str(synthetic_folder), "TESTING": True}).test_client()


def items(client, query: str) -> dict:
    response = client.get(f"/ogc/collections/events/items?{query}")
    assert response.status_code == 200, response.data[:300]
    return orjson.loads(response.data)


@pytest.mark.parametrize(
    "flt",
    [
        EventFilter(text="police"),
        EventFilter(text="POLICE", categories=("custody", "memory")),
        EventFilter(text="no event says this"),
        EventFilter(categories=("protest",)),
        EventFilter(),
    ],
)
@pytest.mark.parametrize(("offset", "limit"), [(0, 1), (0, 100), (4000, 500), (0, 10000)])
def test_a_page_is_the_slice_of_the_whole_selection(synthetic, flt, offset, limit):
    every = select(synthetic, flt)
    page = select_page(synthetic, flt, offset, limit)
    assert page.positions.tolist() == every[offset : offset + limit].tolist()
    if page.matched is None:  # stopped early: there is more than the page
        assert flt.text is not None and len(every) > offset + limit
    else:
        assert page.matched == len(every)


def test_a_common_word_stops_early_and_a_rare_one_is_counted(synthetic):
    common = select_page(synthetic, EventFilter(text="police"), 0, 10)
    assert common.matched is None
    rare = select_page(synthetic, EventFilter(text="no event says this"), 0, 10)
    assert rare.matched == 0 and len(synthetic.events) > TEXT_BLOCK


def test_the_api_leaves_out_a_count_it_did_not_make_and_still_links_the_next_page(
    synthetic_client, synthetic
):
    doc = items(synthetic_client, "q=police&limit=100")
    assert "numberMatched" not in doc and doc["numberReturned"] == 100
    every = select(synthetic, EventFilter(text="police"))
    seen: list[str] = []
    query: str | None = "q=police&limit=1000"
    while query:
        doc = items(synthetic_client, query)
        seen += [f["id"] for f in doc["features"]]
        following = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        query = following[0].split("?", 1)[1] if following else None
    ids = synthetic.events["id"].to_numpy()
    assert seen == ids[every].tolist()
    assert doc["numberMatched"] == len(every)  # the last page's search ran to the end


def test_filters_without_text_are_always_counted(synthetic_client, synthetic):
    doc = items(synthetic_client, "category=protest&limit=5")
    expected = np.count_nonzero(synthetic.events["category"] == "protest")
    assert doc["numberMatched"] == expected


def test_the_html_page_says_more_than_when_it_did_not_count(synthetic_client):
    page = synthetic_client.get("/ogc/collections/events/items?q=police&limit=20&f=html")
    assert page.status_code == 200
    assert b"More than 20 matching events" in page.data
