"""The desk attacked from outside with only the README: what a published correction
carries to the public pages, and what the desk's forms accept from a crafted post."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import save_draft, submit
from tests.conftest import stop_listening
from tests.deskhelp import csrf_token, signed_in
from tests.deskrows import base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db

PAYLOADS = json.loads((Path(__file__).parent / "data" / "hostile" / "PAYLOADS.json").read_text())
MARKUP = {k: v for k, v in PAYLOADS.items() if any(c in v for c in "<>\"'")}
EVENT = "spans-midnight"


def hostile_feature() -> dict:
    """spans-midnight with every free-text field hostile."""
    feature = base_feature(EVENT)
    props = feature["properties"]
    props["title"] = "T " + PAYLOADS["script"] + PAYLOADS["img"]
    props["description"] = PAYLOADS["svg"] + PAYLOADS["comment"]
    props["place"] = PAYLOADS["attr"] + PAYLOADS["tmpl"]
    props["actors"] = [PAYLOADS["img"], PAYLOADS["csv"]]
    source = props["sources"][0]
    source.update(
        publication=PAYLOADS["script"],
        title=PAYLOADS["svg"],
        quote=PAYLOADS["img"] + PAYLOADS["csv"],
        author=PAYLOADS["attr"],
    )
    return feature


@pytest.fixture(scope="module")
def published_hostile(postgres):
    from tests.conftest import new_database

    _, url = new_database(postgres)
    engine = base_loaded(url)
    with transaction(engine) as connection:
        editor = person(connection, "Editor " + PAYLOADS["img"], "editor")
        reviewer = person(connection, "Reviewer " + PAYLOADS["script"], "reviewer")
        draft = save_draft(connection, EVENT, hostile_feature(), None, editor)
        assert not hasattr(draft, "problems"), draft
        reason = "R " + PAYLOADS["script"] + PAYLOADS["attr"] + PAYLOADS["comment"]
        submit(connection, draft.id, reason, editor)
        publish(connection, draft.id, reviewer, PAYLOADS["svg"])
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app.test_client()
    stop_listening(app)


@pytest.mark.parametrize(
    "address",
    ["/", "/map", "/export", "/ogc/collections/events/items?f=html",
     f"/ogc/collections/events/items/{EVENT}?f=html"],
)  # fmt: skip
def test_a_hostile_publication_is_escaped_on_every_public_page(published_hostile, address):
    response = published_hostile.get(address)
    assert response.status_code == 200, (address, response.status_code)
    text = response.get_data(as_text=True)
    assert "T " in text or EVENT in text  # the corrected event is on the page
    for name, payload in MARKUP.items():
        assert payload not in text, (address, name)
    assert "</script><script>" not in text


def test_hostile_text_in_the_data_downloads_is_data(published_hostile):
    text = published_hostile.get("/download.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    item = published_hostile.get(f"/ogc/collections/events/items/{EVENT}")
    assert item.mimetype in ("application/geo+json", "application/json")
    assert orjson.loads(item.data)["properties"]["title"].startswith("T </script>")


BEYOND_INTEGER = str(2**31)  # one past PostgreSQL's integer, which the ids are


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("get", "/desk/revisions/{}/review"),
        ("post", "/desk/revisions/{}/publish"),
        ("post", "/desk/revisions/{}/send-back"),
        ("post", "/desk/admin/accounts/{}/disable"),
        ("post", "/desk/admin/accounts/{}/password"),
        ("post", "/desk/admin/accounts/{}/role"),
    ],
)
@pytest.mark.parametrize("number", [BEYOND_INTEGER, "9" * 30])
def test_an_id_beyond_the_column_s_range_is_404_not_500(
    desk_client, desk_database, method, address, number
):
    signed_in(desk_client, desk_database, "admin")
    token = csrf_token(desk_client.get("/desk/events/new").get_data(as_text=True))
    form = {"csrf_token": token, "comment": "checked", "password": "x" * 20, "role": "editor"}
    url = address.format(number)
    response = desk_client.get(url) if method == "get" else desk_client.post(url, data=form)
    assert response.status_code == 404, (url, response.get_data(as_text=True)[:300])
