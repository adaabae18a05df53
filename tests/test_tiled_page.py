"""The reader's page past the embed limit on a database: a tiled map whose time control
counts what the embedded map would, each slice's tiles asking for that slice's events."""

from __future__ import annotations

import json
import re

import numpy as np
import pyogrio
import pytest
from werkzeug.datastructures import MultiDict

from almaty_map.app import create_app
from almaty_map.language.dates import when
from almaty_map.language.texts import texts_for
from almaty_map.maprender.build import MapSpec, map_slices
from almaty_map.web.viewstate import read_state
from tests.conftest import loaded_database, new_database, stop_listening

pytestmark = pytest.mark.db

LIMIT = 1000
DATA_BLOCK = re.compile(r'<script type="application/json" id="am-tiled-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def tiled_app(postgres, synthetic_folder):
    _, url = new_database(postgres)
    loaded_database(url, synthetic_folder)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MAX_PAGE_EVENTS": LIMIT})
    yield app
    stop_listening(app)


def tiled_data(client, query: str) -> dict | None:
    response = client.get("/" + query)
    assert response.status_code == 200
    found = DATA_BLOCK.search(response.get_data(as_text=True))
    return json.loads(found.group(1)) if found else None


def embedded_counts(dataset, query: str) -> list[int]:
    """Events overlapping each slice of the embedded map of the same view, from the files."""
    args = MultiDict([pair.split("=") for pair in query[1:].split("&")])
    state, problems = read_state(dataset, args)
    assert not problems
    chosen, slices = map_slices(dataset, MapSpec(filter=state.filter, slice_by=state.slice_by))
    positions = chosen.positions
    starts, ends = chosen.dataset.start_ns[positions], chosen.dataset.end_ns[positions]
    return [
        len(positions),
        *(int(((starts < s.end.value) & (ends > s.start.value)).sum()) for s in slices),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "?slice=day",
        "?slice=week",
        "?slice=period",
        "?slice=month",
        "?start=2022-01-04&end=2022-01-08&slice=day",
        "?category=protest&category=custody&slice=day",
    ],
)
def test_the_counts_are_those_the_embedded_map_makes(tiled_app, synthetic, query):
    data = tiled_data(tiled_app.test_client(), query)
    assert data is not None, "not tiled"
    assert [s["count"] for s in data["slices"]] == embedded_counts(synthetic, query)
    assert data["slices"][0]["count"] > LIMIT


def test_the_load_counts_every_slicing_of_the_whole_version_once(tiled_app):
    """What the page of every event shows is what its load stored, slice by slice as the
    database counts it, for every slicing the page offers."""
    from almaty_map.database.slicecounts import slice_counts, span
    from almaty_map.database.wholecounts import stored_counts, stored_span, stored_whole
    from almaty_map.geodata.filtering import EventFilter
    from almaty_map.geodata.timeslices import make_slices

    store = tiled_app.extensions["almaty_map"]
    with store.backend.engine.connect() as connection:
        stored = stored_whole(connection, store.dataset.fingerprint)
        assert stored is not None
        found = span(connection, EventFilter())
        assert stored_span(stored) == found
        for kind in ("period", "day", "week", "month"):
            first, last = np.array([found.first.value]), np.array([found.last.value])
            slices = make_slices(store.dataset.meta, first, last, kind)
            live = slice_counts(connection, slices, EventFilter())
            assert stored_counts(stored, slices) == live, kind


def test_each_slice_s_tiles_hold_the_events_the_api_finds_for_it(tiled_app, tmp_path):
    """The datetime a slice puts on its tiles selects what the items API selects for it."""
    client = tiled_app.test_client()
    data = tiled_data(client, "?slice=day&category=protest&category=unrest")
    for k, piece in enumerate(data["slices"][1:4]):
        args = [("datetime", piece["datetime"]), *data["query"]]
        found = client.get("/ogc/collections/events/items", query_string=[*args, ("limit", "1")])
        assert found.get_json()["numberMatched"] == piece["count"]
        tile = client.get(data["tiles"].format(z=0, y=0, x=0), query_string=args)
        (tmp_path / f"{k}.pbf").write_bytes(tile.data)
        features = pyogrio.read_dataframe(tmp_path / f"{k}.pbf")
        # The whole city is a few pixels at matrix 0: its events are merged, and counted.
        assert features["n"].sum() == piece["count"]
        assert len(features) < piece["count"] / 10


def test_below_the_limit_or_with_a_text_the_page_carries_its_events(tiled_app):
    client = tiled_app.test_client()
    assert tiled_data(client, "?start=2022-01-05&end=2022-01-05&category=memory") is None
    assert tiled_data(client, "?q=square") is None  # tiles cannot search text


def test_the_tiled_page_lists_the_first_events_in_time_and_says_so(tiled_app, synthetic):
    """The list beside a tiled map is its first TILED_LIST_LIMIT events, as the API's
    first page gives them, with the note that it shows only those."""
    from almaty_map.web.pages import TILED_LIST_LIMIT

    client = tiled_app.test_client()
    page = client.get("/?slice=day").get_data(as_text=True)
    listed = re.findall(r'<li data-event-id="([^"]+)">', page)
    api = client.get(f"/ogc/collections/events/items?limit={TILED_LIST_LIMIT}&f=json").json
    assert listed == [f["id"] for f in api["features"]]
    assert len(listed) == TILED_LIST_LIMIT < len(synthetic.events)
    assert f"The list shows the first {TILED_LIST_LIMIT};" in page


def test_the_page_runs_its_start_script_by_hash_only(tiled_app):
    response = tiled_app.test_client().get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "'sha256-" in policy
    page = response.get_data(as_text=True)
    assert "/static/vendor/vector-tile.js" in page and "/static/vendor/pbf.js" in page


def test_on_files_a_large_selection_is_never_tiled(synthetic_folder):
    app = create_app({"TESTING": True, "DATA_PATH": synthetic_folder, "MAX_PAGE_EVENTS": 10})
    assert tiled_data(app.test_client(), "?slice=day") is None


def test_the_popup_s_card_words_the_time_and_refuses_what_it_cannot_read(tiled_app, synthetic):
    client = tiled_app.test_client()
    event = synthetic.events.iloc[0]
    card = client.get(f"/tiled/card/{event.id}?lang=ru")
    assert card.status_code == 200
    worded = when(event.start, event.end, event.time_precision, texts_for("ru"))
    assert card.get_json() == {
        "id": event.id,
        "title": event.title,
        "when": worded,
        "place": event.place,
        "description": event.description or "",
    }
    bad = client.get(f"/tiled/card/{event.id}?lang=xx")
    assert bad.status_code == 400 and "lang" in bad.get_data(as_text=True)
    assert client.get(f"/tiled/card/{event.id}?colour=red").status_code == 400
    missing = client.get("/tiled/card/no-such-event")
    assert missing.status_code == 404 and "no-such-event" in missing.get_data(as_text=True)
